package io.sparkvae.data;

import io.sparkvae.config.SyntheticConfig;
import io.sparkvae.data.synthetic.ShapeFactors;
import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.data.synthetic.ShapesImage;
import io.sparkvae.io.SparkRows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Turns a range of indices into prepared-schema rows of the synthetic shapes dataset. */
public final class SyntheticRows implements Serializable {
  private final SyntheticConfig config;

  public SyntheticRows(SyntheticConfig config) {
    this.config = config;
  }

  /** Rows for indices {@code [range[0], range[1])}, generated lazily. */
  public Iterator<Row> rows(long[] range) {
    ShapesGenerator generator = new ShapesGenerator(config.seed(), config.imageSize());
    SplitAssigner splits = new SplitAssigner(config.seed(), config.valFraction(), config.testFraction());
    return new Iterator<>() {
      private long next = range[0];

      @Override
      public boolean hasNext() {
        return next < range[1];
      }

      @Override
      public Row next() {
        long index = next++;
        return toRow(generator.generate(index), splits.splitOf(index));
      }
    };
  }

  static Row toRow(ShapesImage image, String split) {
    List<Row> shapes = new ArrayList<>();
    for (ShapeFactors s : image.shapes()) {
      shapes.add(RowFactory.create(s.kind().name().toLowerCase(Locale.ROOT), (float) s.centreX(),
          (float) s.centreY(), (float) s.size(), SparkRows.seq(List.of(s.red(), s.green(), s.blue()))));
    }
    Row factors = RowFactory.create(SparkRows.seq(
        List.of(image.backgroundRed(), image.backgroundGreen(), image.backgroundBlue())),
        SparkRows.seq(shapes));
    return RowFactory.create(String.format("shapes-%08d", image.index()), split, null, null,
        image.size(), image.size(), 3, image.pixels(), factors);
  }
}
