package io.sparkvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** One epoch's training and validation numbers: a line of {@code metrics.jsonl}. */
public record EpochMetrics(int epoch, int epochs, double trainLoss, double klWeight, long valImages,
    double valMse, double valPsnr, double valKl, double valReconNll, double valNegElbo,
    double valBitsPerDim, double imagesPerSecond, double epochSeconds) {

  /** Per-image and per-dimension numbers from summed evaluation terms. */
  public static EpochMetrics of(int epoch, int epochs, double trainLoss, double klWeight, EvalSums s,
      ImageShape shape, boolean gaussian, double imagesPerSecond, double epochSeconds) {
    double n = Math.max(1, s.images());
    int d = shape.dimensions();
    double mse = s.squaredError() / (n * d);
    double negElbo = (s.reconNll() + s.kl()) / n;
    // gaussian: a density on [0,1]^D, reported for 8-bit data dequantised to [0,256)^D
    double bpd = negElbo / (d * Math.log(2)) + (gaussian ? 8.0 : 0.0);
    return new EpochMetrics(epoch, epochs, trainLoss, klWeight, s.images(), mse,
        10 * Math.log10(1.0 / mse), s.kl() / n, s.reconNll() / n, negElbo, bpd, imagesPerSecond,
        epochSeconds);
  }

  /** A line written by {@link #toJson} (e.g. from a checkpoint), read back. */
  static EpochMetrics parse(String line) {
    JsonNode j = MetricsJson.read(line);
    return new EpochMetrics(j.path("epoch").asInt(), j.path("epochs").asInt(), d(j, "train_loss"),
        d(j, "kl_weight"), j.path("val_images").asLong(), d(j, "val_mse"), d(j, "val_psnr_db"),
        d(j, "val_kl_nats"), d(j, "val_recon_nll_nats"), d(j, "val_neg_elbo_nats"), d(j, "val_bits_per_dim"),
        d(j, "train_images_per_s"), d(j, "epoch_seconds"));
  }

  private static double d(JsonNode j, String key) {
    return MetricsJson.number(j, key);
  }

  public String toJson() {
    return String.format(Locale.ROOT, "{\"epoch\":%d,\"epochs\":%d,\"train_loss\":%s,"
        + "\"kl_weight\":%s,\"val_images\":%d,\"val_mse\":%s,\"val_psnr_db\":%s,\"val_kl_nats\":%s,"
        + "\"val_recon_nll_nats\":%s,\"val_neg_elbo_nats\":%s,\"val_bits_per_dim\":%s,"
        + "\"train_images_per_s\":%s,\"epoch_seconds\":%s}", epoch, epochs, num(trainLoss),
        num(klWeight), valImages, num(valMse), num(valPsnr), num(valKl), num(valReconNll),
        num(valNegElbo), num(valBitsPerDim), num(imagesPerSecond), num(epochSeconds));
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }
}
