package io.sparkvae.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.cli.Main;
import io.sparkvae.io.Schemas;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VQ path on tiny data in local mode: prepare → train (vqvae) → evaluate → encode → train-prior → sample. */
class LocalVqPipelineTest {
  @TempDir Path root;

  private String[] args(String command, String... extra) {
    List<String> a = TinyVqRun.args(command, root.toString(), "vq");
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static int run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    if (code != 0) {
      System.err.println(err.toString(StandardCharsets.UTF_8));
    }
    return code;
  }

  private static double[] metric(List<String> lines, String key) {
    Pattern p = Pattern.compile("\"" + key + "\":([-0-9.eE+]+)");
    double[] out = new double[lines.size()];
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = p.matcher(lines.get(i));
      assertTrue(m.find(), key + " missing in " + lines.get(i));
      out[i] = Double.parseDouble(m.group(1));
    }
    return out;
  }

  @Test
  void trainsEncodesFitsThePriorAndSamplesReproducibly() throws Exception {
    assertEquals(0, run(args("prepare")));
    assertEquals(2, run(args("sample")), "sampling needs a model and a prior first");

    // two epochs, then a rerun to three resumes from the epoch-2 checkpoint (codebook and EMA state included)
    assertEquals(0, run(args("train", "--set", "train.epochs=2")));
    Path runDir = root.resolve("runs/vq");
    List<String> firstTwo = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertEquals(2, firstTwo.size());
    assertEquals(0, run(args("train")));
    List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertEquals(3, lines.size());
    assertEquals(firstTwo, lines.subList(0, 2), "epochs 1-2 were not run again");
    try (var s = Files.list(runDir.resolve("checkpoints"))) {
      assertEquals(List.of("epoch-000002", "epoch-000003"),
          s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith("epoch-")).sorted().toList());
    }
    double[] mse = metric(lines, "val_mse");
    assertTrue(mse[2] < mse[0], "val MSE went down: " + lines);
    double[] usage = metric(lines, "codebook_usage");
    double[] perplexity = metric(lines, "val_perplexity");
    assertTrue(usage[2] > 0 && usage[2] <= 1 && perplexity[2] >= 1 && perplexity[2] <= 16, lines.toString());
    for (String png : List.of("loss.png", "psnr.png", "codebook.png", "code-usage.png", "reconstructions.png")) {
      assertNotNull(ImageIO.read(runDir.resolve("plots").resolve(png).toFile()), png);
    }

    // evaluate on val gives the last epoch's val reconstruction error and code usage (no randomness in either;
    // the perplexity, a mean over batches, depends on how the images are batched), and on test its own numbers
    assertEquals(0, run(args("evaluate", "--set", "evaluate.split=val")));
    JsonNode eval = new ObjectMapper().readTree(runDir.resolve("eval.json").toFile());
    assertEquals("vqvae", eval.path("model").asText());
    assertEquals(metric(lines, "val_images")[2], eval.path("images").asDouble(), eval.toString());
    assertEquals(mse[2], eval.path("mse").asDouble(), 1e-5 * mse[2], eval + " against " + lines.get(2));
    assertEquals(usage[2], eval.path("codebook_usage").asDouble(), 1e-5, eval + " against " + lines.get(2));
    assertEquals(0, run(args("evaluate", "--overwrite")));
    eval = new ObjectMapper().readTree(runDir.resolve("eval.json").toFile());
    assertEquals("test", eval.path("split").asText());
    assertTrue(eval.path("images").asLong() > 0 && eval.path("perplexity").asDouble() >= 1, eval.toString());
    assertNotNull(ImageIO.read(runDir.resolve("plots/eval-reconstructions.png").toFile()));

    assertEquals(0, run(args("encode")));
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    long prepared;
    try {
      var codes = spark.read().parquet(runDir.resolve("codes").toString());
      // split is a directory level on disk, so Spark reads it back as the last column
      assertEquals(Schemas.CODES.fields().length, codes.schema().fields().length);
      for (var f : Schemas.CODES.fields()) {
        assertEquals(f.dataType().asNullable(), codes.schema().apply(f.name()).dataType().asNullable(), f.name());
      }
      prepared = spark.read().parquet(root.resolve("prepared").toString()).count();
      assertEquals(prepared, codes.count(), "one grid per prepared image");
      for (Row r : codes.limit(20).collectAsList()) {
        List<Integer> grid = r.getList(r.fieldIndex("codes"));
        assertEquals(16, grid.size(), "4x4 grid of a 16x16 image");
        assertEquals(4, r.getInt(r.fieldIndex("code_height")));
        grid.forEach(c -> assertTrue(c >= 0 && c < 16, "code " + c));
      }
    } finally {
      spark.stop();
    }

    assertEquals(0, run(args("train-prior")));
    List<String> prior = Files.readAllLines(runDir.resolve("prior-metrics.jsonl"));
    assertEquals(2, prior.size());
    double[] nll = metric(prior, "val_nll_nats_per_code");
    double lnK = Math.log(16);
    assertTrue(nll[1] > 0 && nll[1] < lnK, "the prior beats the uniform distribution: " + prior);
    assertNotNull(ImageIO.read(runDir.resolve("plots/prior-nll.png").toFile()));

    assertEquals(0, run(args("sample", "--set", "sample.partitions=1")));
    List<Row> one = readSamples(runDir);
    assertEquals(0, run(args("sample", "--set", "sample.partitions=3", "--overwrite")));
    List<Row> three = readSamples(runDir);
    assertEquals(40, one.size());
    for (int i = 0; i < 40; i++) {
      Row a = one.get(i);
      Row b = three.get(i);
      assertEquals("vqvae", a.getString(a.fieldIndex("model")));
      assertEquals(a.getList(a.fieldIndex("codes")), b.getList(b.fieldIndex("codes")), "sample " + i);
      assertEquals(16, a.getList(a.fieldIndex("codes")).size());
      assertTrue(a.isNullAt(a.fieldIndex("latent")));
      byte[] png = (byte[]) a.get(a.fieldIndex("image_png"));
      assertArrayEquals(png, (byte[]) b.get(b.fieldIndex("image_png")), "sample " + i);
      assertEquals(16, ImageIO.read(new ByteArrayInputStream(png)).getWidth());
    }
    assertNotNull(ImageIO.read(runDir.resolve("samples.png").toFile()));
  }

  private List<Row> readSamples(Path run) {
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      var df = spark.read().parquet(run.resolve("samples").toString());
      assertEquals(Schemas.SAMPLES.simpleString(), df.schema().asNullable().simpleString());
      return df.orderBy("sample_id").collectAsList();
    } finally {
      spark.stop();
    }
  }
}
