package io.sparkvae.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkvae.cli.Main;
import io.sparkvae.cli.MainRun;
import io.sparkvae.data.synthetic.ShapesGenerator;
import io.sparkvae.io.Schemas;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.LatentMixture;
import io.sparkvae.model.vae.LatentMixtureJson;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.sample.LatentSampler;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** prepare → train (2 workers, parameter averaging) → evaluate → sample, on tiny data in Spark local mode. */
class LocalPipelineTest {
  @TempDir Path root;

  private String[] args(String command, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, "--set", "output-root=" + root,
        "--set", "run-id=tiny", "--set", "spark.master=local[2]",
        "--set", "data.synthetic.count=700", "--set", "data.synthetic.image-size=16",
        "--set", "data.synthetic.val-fraction=0.15", "--set", "data.synthetic.partitions=2",
        "--set", "model.encoder-channels=[8,16]", "--set", "model.latent-dim=8",
        "--set", "model.kl-warmup-epochs=0",
        "--set", "train.epochs=3", "--set", "train.workers=2", "--set", "train.batch-size-per-worker=16",
        "--set", "train.averaging-frequency=3", "--set", "train.learning-rate=0.003",
        "--set", "sample.count=50", "--set", "sample.batch-size=8", "--set", "sample.seed=77"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
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

  /**
   * evaluate on the test split, then on val, where it must give the last epoch's val numbers (the reconstruction
   * from the posterior mean and the analytic KL do not depend on a seed); what it refuses, and why.
   */
  private void evaluatesTheTrainedModel(Path run, String lastEpoch) throws Exception {
    ObjectMapper json = new ObjectMapper();
    long testImages = json.readTree(root.resolve("prepared/_dataset.json").toFile()).path("counts").path("test")
        .asLong();
    assertTrue(testImages > 0, "the synthetic dataset has a test split");
    MainRun test = MainRun.of(args("evaluate"));
    assertEquals(0, test.code(), test.err());
    JsonNode eval = json.readTree(run.resolve("eval.json").toFile());
    assertEquals("vae", eval.path("model").asText());
    assertEquals("test", eval.path("split").asText());
    assertEquals(testImages, eval.path("images").asLong(), eval.toString());
    double lastValPsnr = metric(List.of(lastEpoch), "val_psnr_db")[0];
    assertTrue(Math.abs(eval.path("psnr_db").asDouble() - lastValPsnr) < 3, eval + " against " + lastEpoch);
    assertTrue(eval.path("kl_nats").asDouble() > 0, eval.toString());
    // bits per dimension: -ELBO over 16 x 16 x 3 dimensions in bits, + 8 for the Gaussian's dequantised 8-bit data
    assertEquals(eval.path("neg_elbo_nats").asDouble() / (768 * Math.log(2)) + 8, eval.path("bits_per_dim")
        .asDouble(), 1e-9, eval.toString());
    assertEquals(eval.path("recon_nll_nats").asDouble() + eval.path("kl_nats").asDouble(),
        eval.path("neg_elbo_nats").asDouble(), 1e-6, eval.toString());
    BufferedImage pairs = ImageIO.read(run.resolve("plots/eval-reconstructions.png").toFile());
    assertNotNull(pairs);

    // the same configuration again: a no-op; another split over an existing evaluation: refused, until --overwrite
    MainRun again = MainRun.of(args("evaluate"));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("already succeeded with this configuration"), again.out());
    MainRun refused = MainRun.of(args("evaluate", "--set", "evaluate.split=val"));
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("an evaluation already exists at " + run.resolve("eval.json")
        + " (pass --overwrite to replace it)"), refused.err());
    MainRun val = MainRun.of(args("evaluate", "--set", "evaluate.split=val", "--overwrite"));
    assertEquals(0, val.code(), val.err());
    eval = json.readTree(run.resolve("eval.json").toFile());
    assertEquals("val", eval.path("split").asText());
    assertEquals(metric(List.of(lastEpoch), "val_images")[0], eval.path("images").asDouble(), eval.toString());
    assertEquals(metric(List.of(lastEpoch), "val_mse")[0], eval.path("mse").asDouble(),
        1e-5 * eval.path("mse").asDouble(), eval + " against " + lastEpoch);
    assertEquals(metric(List.of(lastEpoch), "val_kl_nats")[0], eval.path("kl_nats").asDouble(),
        1e-5 * eval.path("kl_nats").asDouble(), eval + " against " + lastEpoch);
    MainRun ten = MainRun.of(args("evaluate", "--set", "evaluate.split=val", "--set", "evaluate.max-images=10",
        "--overwrite"));
    assertEquals(0, ten.code(), ten.err());
    assertEquals(10, json.readTree(run.resolve("eval.json").toFile()).path("images").asLong());

    // bad input: a split with no images, and a dataset of another image size (both prepared here, tiny)
    String noTest = root.resolve("prepared-no-test").toString();
    assertEquals(0, Main.run(args("prepare", "--set", "data.prepared=" + noTest, "--set", "data.synthetic.count=40",
        "--set", "data.synthetic.test-fraction=0"), System.out, System.err));
    MainRun empty = MainRun.of(args("evaluate", "--set", "data.prepared=" + noTest, "--overwrite"));
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("evaluate cannot use its input: the test split of " + noTest
        + " has no images (choose another evaluate.split, or prepare with a test split)"), empty.err());
    String bigger = root.resolve("prepared-32").toString();
    assertEquals(0, Main.run(args("prepare", "--set", "data.prepared=" + bigger, "--set", "data.synthetic.count=60",
        "--set", "data.synthetic.image-size=32"), System.out, System.err));
    MainRun shape = MainRun.of(args("evaluate", "--set", "data.prepared=" + bigger, "--overwrite"));
    assertEquals(2, shape.code());
    assertTrue(shape.err().contains("holds 32x32x3 images but the model of run tiny takes 16x16x3 (set "
        + "data.prepared to the dataset it was trained on)"), shape.err());
    MainRun noModel = MainRun.of(args("evaluate", "--set", "run-id=untrained", "--set", "evaluate.split=holdout"));
    assertEquals(2, noModel.code());
    assertTrue(noModel.err().contains("evaluate.split: 'holdout' is not one of test, val, train"), noModel.err());
    assertTrue(noModel.err().contains("run untrained has no model at " + root.resolve("runs/untrained/model.zip")
        + " (train it first, or set run-id)"), noModel.err());
  }

  @Test
  void preparesTrainsAndSamplesReproducibly() throws Exception {
    assertEquals(0, Main.run(args("prepare"), System.out, System.err));
    assertTrue(Files.isRegularFile(root.resolve("prepared/_dataset.json")));
    assertTrue(Files.isDirectory(root.resolve("prepared/split=train")));
    // the same synthetic dataset, asked for by another run: nothing to do, whatever the partitions; another one is
    // refused, naming what differs; validate says the same
    long prepared = Files.getLastModifiedTime(root.resolve("prepared/_dataset.json")).toMillis();
    MainRun same = MainRun.of(args("prepare", "--set", "run-id=other", "--set", "data.synthetic.partitions=3"));
    assertEquals(0, same.code(), same.err());
    assertTrue(same.out().contains("already holds the synthetic dataset of this configuration (generator "
        + ShapesGenerator.VERSION + ", 700 images of 16x16, seed "), same.out());
    assertEquals(prepared, Files.getLastModifiedTime(root.resolve("prepared/_dataset.json")).toMillis());
    MainRun other = MainRun.of(args("prepare", "--set", "run-id=other", "--set", "data.synthetic.count=900"));
    assertEquals(2, other.code());
    assertTrue(other.err().contains("holds another synthetic dataset (data.synthetic.count: dataset 700, now 900) "
        + "(pass --overwrite to replace it)"), other.err());
    List<String> validateArgs = new ArrayList<>(List.of(args("validate", "--set", "run-id=other")));
    validateArgs.add(1, "prepare,train");
    MainRun validate = MainRun.of(validateArgs);
    assertEquals(0, validate.code(), validate.err());
    assertTrue(validate.out().contains("already holds the synthetic dataset of this configuration"), validate.out());
    assertEquals(prepared, Files.getLastModifiedTime(root.resolve("prepared/_dataset.json")).toMillis());

    assertEquals(0, Main.run(args("train"), System.out, System.err));
    Path run = root.resolve("runs/tiny");
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(3, lines.size(), "one metrics line per epoch");
    double[] negElbo = metric(lines, "val_neg_elbo_nats");
    double[] mse = metric(lines, "val_mse");
    assertTrue(negElbo[2] < negElbo[0], "val -ELBO went down: " + lines);
    assertTrue(mse[2] < mse[0], "val MSE went down: " + lines);
    for (String png : List.of("loss.png", "psnr.png", "reconstructions.png", "prior-samples.png",
        "mixture-samples.png")) {
      assertNotNull(ImageIO.read(run.resolve("plots").resolve(png).toFile()), png);
    }
    // the latent prior: a mixture over the 8-dim z that describes the val images' encodings better than N(0, I)
    String priorJson = Files.readString(run.resolve("latent-prior.json"));
    LatentMixture mixture = LatentMixtureJson.read(priorJson, "latent-prior.json");
    assertEquals(8, mixture.dim());
    JsonNode fit = new ObjectMapper().readTree(priorJson).get("fit");
    assertEquals(mixture.components(), fit.get("components").asInt());
    assertTrue(fit.get("val_mean_log_likelihood").asDouble()
        > fit.get("val_standard_normal_mean_log_likelihood").asDouble(), fit.toString());
    // 567 training means of 8 dims allow 567 / (2 * 9) = 31 components: the candidates 10, 25, 50 become 10, 25, 31
    assertEquals(567, fit.get("train_vectors").asInt(), fit.toString());
    assertEquals(3, fit.get("candidates").size(), fit.toString());
    assertEquals(31, fit.get("candidates").get(2).get("components").asInt(), fit.toString());

    evaluatesTheTrainedModel(run, lines.get(2));

    assertEquals(0, Main.run(args("sample", "--set", "sample.partitions=1"), System.out, System.err));
    List<Row> onePartition = readSamples(run);
    assertEquals(2, Main.run(args("sample"), System.out, System.err), "existing samples are refused");
    assertEquals(0, Main.run(args("sample", "--set", "sample.partitions=3", "--overwrite"),
        System.out, System.err));
    List<Row> threePartitions = readSamples(run);

    assertEquals(50, onePartition.size());
    // each PNG holds the trained decoder's image of the sample's own latent (within one step of rounding: the
    // job decodes in batches, this one at a time)
    LoadedVae vae = ModelStore.load(
        run.resolve("model.zip").toString(), new Configuration());
    ComputationGraph decoder =
        VaeGraphs.decoder(vae.graph(), vae.spec());
    for (int i = 0; i < 5; i++) {
      Row a = onePartition.get(i);
      List<Float> z = a.getList(a.fieldIndex("latent"));
      float[] latent = new float[z.size()];
      for (int k = 0; k < latent.length; k++) {
        latent[k] = z.get(k);
      }
      byte[] expected = ImageTensors.toHwcBytes(decoder.outputSingle(false,
          Nd4j.create(latent, new long[] {1, latent.length}, 'c')), 0);
      BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) a.get(a.fieldIndex("image_png"))));
      assertEquals(16 * 16 * 3, expected.length);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          int rgb = img.getRGB(x, y);
          for (int ch = 0; ch < 3; ch++) {
            int got = (rgb >> (16 - 8 * ch)) & 0xFF;
            int want = expected[(y * 16 + x) * 3 + ch] & 0xFF;
            assertTrue(Math.abs(got - want) <= 1, "sample " + i + " pixel " + x + "," + y + " channel " + ch
                + ": PNG " + got + ", decoder " + want);
          }
        }
      }
    }
    for (int i = 0; i < 50; i++) {
      Row a = onePartition.get(i);
      Row b = threePartitions.get(i);
      assertEquals((long) i, a.getLong(a.fieldIndex("sample_id")));
      assertEquals(a.getLong(a.fieldIndex("seed")), b.getLong(b.fieldIndex("seed")));
      assertEquals(a.getList(a.fieldIndex("latent")), b.getList(b.fieldIndex("latent")));
      // z drawn from the fitted mixture, from the sample's own seed
      assertEquals(floats(new LatentSampler(77, 8, 1.0, mixture).latent(i)), a.getList(a.fieldIndex("latent")));
      byte[] png = (byte[]) a.get(a.fieldIndex("image_png"));
      assertArrayEquals(png, (byte[]) b.get(b.fieldIndex("image_png")), "sample " + i);
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
      assertEquals(16, img.getWidth());
      assertEquals(8, a.getList(a.fieldIndex("latent")).size());
      assertTrue(a.isNullAt(a.fieldIndex("codes")));
    }
    // the contact sheet holds the samples in id order: 8 per row, each 16x16 image scaled 6x, 2 pixels apart
    BufferedImage sheet = ImageIO.read(run.resolve("samples.png").toFile());
    assertEquals(2 + 8 * (16 * 6 + 2), sheet.getWidth());
    for (int i = 0; i < 50; i++) {
      BufferedImage sample = ImageIO.read(new ByteArrayInputStream(
          (byte[]) onePartition.get(i).get(onePartition.get(i).fieldIndex("image_png"))));
      int x0 = 2 + (i % 8) * (16 * 6 + 2);
      int y0 = 2 + (i / 8) * (16 * 6 + 2);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          assertEquals(sample.getRGB(x, y) & 0xFFFFFF, sheet.getRGB(x0 + 6 * x + 3, y0 + 6 * y + 3) & 0xFFFFFF,
              "sample " + i + " pixel " + x + "," + y + " on the contact sheet");
        }
      }
    }
  }

  /**
   * As the Airflow DAG runs each step, with --overwrite-unless-done: a step of the run that finished does nothing,
   * one whose attempt failed after writing replaces what it left, and prepare runs again once another run has
   * replaced the shared dataset; train resumes instead of replacing.
   */
  @Test
  void overwriteUnlessDoneSkipsFinishedStepsAndReplacesTheRest() throws Exception {
    String unlessDone = "--overwrite-unless-done";
    String oneEpoch = "train.epochs=1";
    assertEquals(0, Main.run(args("prepare", unlessDone), System.out, System.err));
    assertEquals(0, Main.run(args("train", "--set", oneEpoch, unlessDone), System.out, System.err));
    assertEquals(0, Main.run(args("sample", unlessDone), System.out, System.err));
    Path run = root.resolve("runs/tiny");
    Path samplesDone = run.resolve("samples/_SUCCESS");
    // an attempt that failed after writing its samples: no success record; the retry replaces them, and removes
    // what an attempt killed while writing left beside them
    Files.delete(run.resolve("_steps/sample/_SUCCESS"));
    Files.setLastModifiedTime(samplesDone, FileTime.fromMillis(0));
    Path killed = Files.createDirectories(run.resolve("samples.tmp-" + UUID.randomUUID() + "/split=0"));
    Files.writeString(killed.resolve("part-00000.parquet"), "half of one");
    Path someoneElses = Files.createDirectories(run.resolve("samples.tmp-mine"));
    MainRun retry = MainRun.of(args("sample", unlessDone));
    assertEquals(0, retry.code(), retry.err());
    assertFalse(retry.out().contains("nothing to do"), retry.out());
    assertNotEquals(0, Files.getLastModifiedTime(samplesDone).toMillis(), "the samples were written again");
    assertTrue(Files.notExists(killed.getParent()), "the killed attempt's output is gone");
    assertTrue(Files.isDirectory(someoneElses), "only names the job writes are removed");
    // the retry of a finished step: nothing to do, nothing touched
    Files.setLastModifiedTime(samplesDone, FileTime.fromMillis(0));
    Files.setLastModifiedTime(run.resolve("model.zip"), FileTime.fromMillis(0));
    MainRun done = MainRun.of(args("sample", unlessDone));
    assertEquals(0, done.code(), done.err());
    assertTrue(done.out().contains("sample of run tiny already succeeded with this configuration"), done.out());
    MainRun trained = MainRun.of(args("train", "--set", oneEpoch, unlessDone));
    assertEquals(0, trained.code(), trained.err());
    assertTrue(trained.out().contains("train of run tiny already succeeded with this configuration"), trained.out());
    assertEquals(0, Files.getLastModifiedTime(samplesDone).toMillis());
    assertEquals(0, Files.getLastModifiedTime(run.resolve("model.zip")).toMillis());
    assertTrue(Files.isDirectory(run.resolve("checkpoints")), "train keeps its checkpoints");

    // the shared prepared dataset: replaced by another run with other settings, then this run's prepare runs again
    MainRun prepared = MainRun.of(args("prepare", unlessDone));
    assertTrue(prepared.out().contains("prepare of run tiny already succeeded"), prepared.out());
    assertEquals(0, Main.run(args("prepare", "--set", "run-id=other", "--set", "data.synthetic.count=900",
        unlessDone), System.out, System.err));
    assertTrue(Files.readString(root.resolve("prepared/_dataset.json")).contains("\"count\" : 900"));
    MainRun again = MainRun.of(args("prepare", unlessDone));
    assertEquals(0, again.code(), again.err());
    assertFalse(again.out().contains("nothing to do"), again.out());
    assertTrue(Files.readString(root.resolve("prepared/_dataset.json")).contains("\"count\" : 700"));
    assertTrue(MainRun.of(args("prepare", unlessDone)).out().contains("prepare of run tiny already succeeded"));

    MainRun both = MainRun.of(args("sample", "--overwrite", unlessDone));
    assertEquals(2, both.code());
    assertTrue(both.err().contains("error: --overwrite runs a finished step again, --overwrite-unless-done does "
        + "not: give one of them"), both.err());
  }

  @Test
  void sampleWithoutTheLatentPriorSaysHowToGetOneOrDrawsFromTheStandardNormal() throws Exception {
    assertEquals(0, Main.run(args("prepare"), System.out, System.err));
    assertEquals(0, Main.run(args("train", "--set", "train.epochs=1", "--set", "model.latent-prior.components=[0]"),
        System.out, System.err));
    Path run = root.resolve("runs/tiny");
    assertTrue(Files.notExists(run.resolve("latent-prior.json")));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, Main.run(args("sample"), System.out, new PrintStream(err, true)));
    assertTrue(err.toString().contains("run tiny has no latent prior at " + run.resolve("latent-prior.json")
        + " (sample.vae-prior = mixture draws z from the mixture `train` fits when model.latent-prior.components "
        + "is not [0]: train again, or set sample.vae-prior = standard for N(0, I))"), err.toString());
    assertTrue(Files.notExists(run.resolve("samples")), "nothing written");
    assertEquals(0, Main.run(args("sample", "--set", "sample.vae-prior=standard"), System.out, System.err));
    List<Row> rows = readSamples(run);
    for (int i = 0; i < 50; i++) {
      assertEquals(floats(new LatentSampler(77, 8, 1.0).latent(i)), rows.get(i).getList(rows.get(i)
          .fieldIndex("latent")));
    }
    // a latent-prior.json that is not one (here: another tool's JSON) is bad input: exit 2, the samples untouched
    Files.writeString(run.resolve("latent-prior.json"), "{\"weights\": [1]}");
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    assertEquals(2, Main.run(args("sample", "--overwrite"), System.out, new PrintStream(bad, true)));
    assertTrue(bad.toString().contains("error: sample cannot use its input: " + root.toUri().getPath()), bad.toString());
    assertTrue(bad.toString().contains("runs/tiny/latent-prior.json is not a latent prior written by spark-vae (its "
        + "\"format\" is missing"), bad.toString());
    assertTrue(bad.toString().contains("(train again to re-fit it)"), bad.toString());
    assertEquals(rows.size(), readSamples(run).size());
  }

  private static List<Float> floats(float[] z) {
    List<Float> out = new ArrayList<>();
    for (float v : z) {
      out.add(v);
    }
    return out;
  }

  private List<Row> readSamples(Path run) {
    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      var df = spark.read().parquet(run.resolve("samples").toString());
      assertEquals(Schemas.SAMPLES.simpleString(), df.schema().asNullable().simpleString());
      assertEquals(Schemas.SAMPLES.fieldNames().length, df.schema().fields().length);
      for (var f : Schemas.SAMPLES.fields()) {
        assertEquals(f.dataType().asNullable(), df.schema().apply(f.name()).dataType().asNullable(), f.name());
      }
      return df.orderBy("sample_id").collectAsList();
    } finally {
      spark.stop();
    }
  }
}
