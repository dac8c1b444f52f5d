package io.sparkvae.bench;

import io.sparkvae.io.Schemas;
import io.sparkvae.io.SparkRows;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.io.images.PixelCodec;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import io.sparkvae.sample.LatentSampler;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the sampling job's time goes, stage by stage, for {@code n} CIFAR-shaped samples in batches of 100: each
 * stage alone in this thread (ms per 1000 images), then the Spark part (rows already built; Row conversion, Parquet
 * and the job) on local[2]. Run with OMP_NUM_THREADS=1 as the sampling benchmark's tasks do. Uses only APIs that
 * predate the fast PNG encoder, so the same file profiles old and new code.
 */
public final class SampleProfile {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    VaeSpec spec = VaeBenchmark.spec("cifar");
    byte[] modelBytes = ModelStore.toBytes(VaeGraphs.newTrainingGraph(spec), spec);
    int batches = n / 100;
    for (int round = 0; round < 3; round++) { // rounds 0 and 1 warm up
      long t0 = System.nanoTime();
      LoadedVae vae = ModelStore.fromBytes(modelBytes);
      ComputationGraph decoder = VaeGraphs.decoder(vae.graph(), spec);
      long tLoad = System.nanoTime() - t0;
      LatentSampler sampler = new LatentSampler(round, spec.latentDim(), 1.0);
      long tLat = 0;
      long tDec = 0;
      long tHwc = 0;
      long tImageIo = 0;
      long tCodec = 0;
      long tRows = 0;
      long pngBytes = 0;
      long imageIoBytes = 0;
      List<Row> rows = new ArrayList<>(n);
      for (int b = 0; b < batches; b++) {
        long a = System.nanoTime();
        INDArray z = sampler.latents(b * 100L, 100);
        long c = System.nanoTime();
        INDArray out = decoder.outputSingle(false, z);
        long d = System.nanoTime();
        List<byte[]> images = ImageTensors.toHwcBytes(out);
        long e = System.nanoTime();
        for (byte[] img : images) {
          ByteArrayOutputStream bo = new ByteArrayOutputStream(4096);
          ImageIO.write(PixelCodec.toBufferedImage(img, 32, 32, 3), "png", bo);
          imageIoBytes += bo.size();
        }
        long f = System.nanoTime();
        List<byte[]> pngs = new ArrayList<>(100);
        for (byte[] img : images) {
          byte[] png = PixelCodec.encodePng(img, 32, 32, 3);
          pngBytes += png.length;
          pngs.add(png);
        }
        long g = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          float[] v = z.getRow(i).toFloatVector();
          List<Float> boxed = new ArrayList<>(v.length);
          for (float x : v) {
            boxed.add(x);
          }
          long id = b * 100L + i;
          rows.add(RowFactory.create("bench", "vae", id, sampler.seedOf(id), 32, 32, 3, pngs.get(i),
              SparkRows.seq(boxed), null, null, null));
        }
        long h = System.nanoTime();
        tLat += c - a;
        tDec += d - c;
        tHwc += e - d;
        tImageIo += f - e;
        tCodec += g - f;
        tRows += h - g;
      }
      double k = 1000.0 / (batches * 100) / 1e6;
      System.out.printf(Locale.ROOT, "round %d, ms per 1000 images: model load (once) %.1f ms | latents %.1f | "
              + "decode %.1f | to HWC bytes %.1f | ImageIO PNG %.1f (%.0f B/img) | PixelCodec.encodePng %.1f "
              + "(%.0f B/img) | rows %.1f%n", round, tLoad / 1e6, tLat * k, tDec * k, tHwc * k, tImageIo * k,
          (double) imageIoBytes / (batches * 100), tCodec * k, (double) pngBytes / (batches * 100), tRows * k);
      if (round == 2) {
        spark(rows);
      }
    }
  }

  /** The Spark part alone: the built rows to Parquet over local[2], zstd and uncompressed, after a warm-up. */
  static void spark(List<Row> rows) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("profile")
        .config("spark.ui.enabled", "false").getOrCreate();
    Path out = Files.createTempDirectory("profile-samples");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      for (int round = 0; round < 3; round++) {
        for (String codec : new String[] {"zstd", "uncompressed"}) {
          long t0 = System.nanoTime();
          spark.createDataFrame(jsc.parallelize(rows, 2), Schemas.SAMPLES).write().mode("overwrite")
              .option("compression", codec).parquet(out.resolve("r").toString());
          double ms = (System.nanoTime() - t0) / 1e6;
          long t1 = System.nanoTime();
          jsc.parallelize(List.of(1, 2), 2).count();
          double empty = (System.nanoTime() - t1) / 1e6;
          System.out.printf(Locale.ROOT, "spark round %d: %d built rows -> Parquet (%s), local[2]: %.1f ms "
              + "(%.1f ms per 1000 rows); an empty 2-task job: %.1f ms%n", round, rows.size(), codec, ms,
              ms * 1000 / rows.size(), empty);
        }
      }
    } finally {
      spark.stop();
    }
  }
}
