package io.sparkvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvae.model.vqvae.Codebooks;
import io.sparkvae.model.vqvae.VqVaeSpec;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One VQ-VAE epoch: a line of {@code metrics.jsonl}. Code usage and perplexity are measured on the val split
 * after the epoch: {@code codebook_usage} is the fraction of the K codes assigned at least once,
 * {@code val_perplexity} the mean over val batches of exp(entropy of the batch's code histogram).
 */
public record VqEpochMetrics(int epoch, int epochs, double trainLoss, long valImages, double valMse,
    double valPsnr, double valPerplexity, double codebookUsage, int restartedCodes, double imagesPerSecond,
    double epochSeconds) {

  public static VqEpochMetrics of(int epoch, int epochs, double trainLoss, VqEvalSums s, VqVaeSpec spec,
      int restarted, double imagesPerSecond, double epochSeconds) {
    double mse = s.squaredError() / (Math.max(1, s.images()) * (double) spec.dimensions());
    return new VqEpochMetrics(epoch, epochs, trainLoss, s.images(), mse, 10 * Math.log10(1.0 / mse),
        s.perplexitySum() / Math.max(1, s.batches()), Codebooks.usedFraction(s.usage()), restarted,
        imagesPerSecond, epochSeconds);
  }

  public String toJson() {
    return String.format(Locale.ROOT, "{\"epoch\":%d,\"epochs\":%d,\"model\":\"vqvae\",\"train_loss\":%s,"
        + "\"val_images\":%d,\"val_mse\":%s,\"val_psnr_db\":%s,\"val_perplexity\":%s,\"codebook_usage\":%s,"
        + "\"restarted_codes\":%d,\"train_images_per_s\":%s,\"epoch_seconds\":%s}", epoch, epochs,
        num(trainLoss), valImages, num(valMse), num(valPsnr), num(valPerplexity), num(codebookUsage),
        restartedCodes, num(imagesPerSecond), num(epochSeconds));
  }

  /** A line written by {@link #toJson} (e.g. from a checkpoint), read back. */
  static VqEpochMetrics parse(String line) {
    JsonNode j = MetricsJson.read(line);
    return new VqEpochMetrics(j.path("epoch").asInt(), j.path("epochs").asInt(), d(j, "train_loss"),
        j.path("val_images").asLong(), d(j, "val_mse"), d(j, "val_psnr_db"), d(j, "val_perplexity"),
        d(j, "codebook_usage"), j.path("restarted_codes").asInt(), d(j, "train_images_per_s"),
        d(j, "epoch_seconds"));
  }

  private static double d(JsonNode j, String key) {
    return MetricsJson.number(j, key);
  }

  static double[][] series(List<VqEpochMetrics> h, ToDoubleFunction<VqEpochMetrics> f) {
    double[][] xy = new double[2][h.size()];
    for (int i = 0; i < h.size(); i++) {
      xy[0][i] = h.get(i).epoch();
      xy[1][i] = f.applyAsDouble(h.get(i));
    }
    return xy;
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }
}
