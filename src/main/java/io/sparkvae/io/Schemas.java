package io.sparkvae.io;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The Parquet schemas this application writes, as documented constants (cf. Spark's ImageSchema). */
public final class Schemas {
  private Schemas() {}

  private static StructField field(String name, org.apache.spark.sql.types.DataType type,
      boolean nullable) {
    return new StructField(name, type, nullable, Metadata.empty());
  }

  /** One synthetic shape: its kind (circle, square, triangle), centre and size in pixels, RGB colour. */
  public static final StructType SHAPE = new StructType(new StructField[] {
      field("kind", DataTypes.StringType, false),
      field("cx", DataTypes.FloatType, false),
      field("cy", DataTypes.FloatType, false),
      field("size", DataTypes.FloatType, false),
      field("rgb", DataTypes.createArrayType(DataTypes.IntegerType, false), false)});

  /** The generative factors of a synthetic image: background RGB and the shapes in paint order. */
  public static final StructType FACTORS = new StructType(new StructField[] {
      field("background", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
      field("shapes", DataTypes.createArrayType(SHAPE, false), false)});

  /**
   * Prepared dataset, one row per image, partitioned on disk by {@code split}.
   * <ul>
   *   <li>{@code id}: stable id from the source (file name, batch:index, or synthetic-index).</li>
   *   <li>{@code split}: train, val or test.</li>
   *   <li>{@code label}: class label (CIFAR-10); null when the dataset has none.</li>
   *   <li>{@code attributes}: CelebA's 40 binary attributes as 0/1; null otherwise.</li>
   *   <li>{@code pixels}: raw uint8 bytes, HWC order, RGB; length height*width*channels. Raw so that
   *       training never decodes images.</li>
   *   <li>{@code factors}: the synthetic dataset's generative factors; null for real datasets.</li>
   * </ul>
   */
  public static final StructType PREPARED = new StructType(new StructField[] {
      field("id", DataTypes.StringType, false),
      field("split", DataTypes.StringType, false),
      field("label", DataTypes.IntegerType, true),
      field("attributes", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
      field("height", DataTypes.IntegerType, false),
      field("width", DataTypes.IntegerType, false),
      field("channels", DataTypes.IntegerType, false),
      field("pixels", DataTypes.BinaryType, false),
      field("factors", FACTORS, true)});

  /**
   * VQ-VAE code grids of a prepared dataset, written by {@code encode}, partitioned on disk by {@code split}.
   * <ul>
   *   <li>{@code id}, {@code split}: those of the prepared image.</li>
   *   <li>{@code codes}: the code index (0..K-1) of each grid position in raster order (row by row);
   *       length code_height*code_width.</li>
   * </ul>
   */
  public static final StructType CODES = new StructType(new StructField[] {
      field("id", DataTypes.StringType, false),
      field("split", DataTypes.StringType, false),
      field("codes", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
      field("code_height", DataTypes.IntegerType, false),
      field("code_width", DataTypes.IntegerType, false)});

  /** Images that {@code prepare} skipped: the source path (file, or archive!entry) and the reason. */
  public static final StructType REJECTS = new StructType(new StructField[] {
      field("path", DataTypes.StringType, false),
      field("reason", DataTypes.StringType, false)});

  /**
   * Generated samples, one row per image.
   * <ul>
   *   <li>{@code sample_id}: 0..count-1; with {@code seed} it fixes the row whatever the partitioning.</li>
   *   <li>{@code seed}: the per-sample seed, derived from the job seed and sample_id.</li>
   *   <li>{@code image_png}: the image as a PNG file's bytes, viewable as is.</li>
   *   <li>{@code latent}: the VAE's z (null for VQ-VAE).</li>
   *   <li>{@code codes}, {@code code_height}, {@code code_width}: the VQ-VAE's code grid in raster
   *       order (null for VAE).</li>
   * </ul>
   */
  public static final StructType SAMPLES = new StructType(new StructField[] {
      field("run_id", DataTypes.StringType, false),
      field("model", DataTypes.StringType, false),
      field("sample_id", DataTypes.LongType, false),
      field("seed", DataTypes.LongType, false),
      field("height", DataTypes.IntegerType, false),
      field("width", DataTypes.IntegerType, false),
      field("channels", DataTypes.IntegerType, false),
      field("image_png", DataTypes.BinaryType, false),
      field("latent", DataTypes.createArrayType(DataTypes.FloatType, false), true),
      field("codes", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
      field("code_height", DataTypes.IntegerType, true),
      field("code_width", DataTypes.IntegerType, true)});
}
