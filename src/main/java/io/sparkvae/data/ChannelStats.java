package io.sparkvae.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Per-channel mean and standard deviation of pixels scaled to [0, 1], summed on the executors. */
public record ChannelStats(long pixelsPerChannel, double[] mean, double[] std) implements Serializable {

  /** Statistics of the {@code pixels} column of {@code rows} (HWC uint8 with {@code channels} channels). */
  public static ChannelStats of(Dataset<Row> rows, int channels) {
    double[] sums = rows.select("pixels").toJavaRDD()
        .mapPartitions((Iterator<Row> it) -> List.of(partial(it, channels)).iterator())
        .reduce(ChannelStats::add);
    long n = (long) sums[2 * channels];
    double[] mean = new double[channels];
    double[] std = new double[channels];
    for (int c = 0; c < channels && n > 0; c++) {
      mean[c] = sums[c] / n / 255.0;
      double meanSquare = sums[channels + c] / n / (255.0 * 255.0);
      std[c] = Math.sqrt(Math.max(0.0, meanSquare - mean[c] * mean[c]));
    }
    return new ChannelStats(n, mean, std);
  }

  /** Sums, sums of squares (as longs per image, exact) and the pixel count per channel. */
  static double[] partial(Iterator<Row> rows, int channels) {
    double[] out = new double[2 * channels + 1];
    long[] sum = new long[channels];
    long[] sumSq = new long[channels];
    while (rows.hasNext()) {
      byte[] px = (byte[]) rows.next().get(0);
      for (int i = 0; i < px.length; i++) {
        int v = px[i] & 0xFF;
        sum[i % channels] += v;
        sumSq[i % channels] += v * v;
      }
      out[2 * channels] += px.length / channels;
      for (int c = 0; c < channels; c++) {
        out[c] += sum[c];
        out[channels + c] += sumSq[c];
        sum[c] = 0;
        sumSq[c] = 0;
      }
    }
    return out;
  }

  private static double[] add(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  /** The summary fields: {@code mean} and {@code std} per channel, rounded to 5 decimals. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mean", rounded(mean));
    out.put("std", rounded(std));
    return out;
  }

  private static List<Double> rounded(double[] v) {
    List<Double> out = new ArrayList<>();
    for (double x : v) {
      out.add(Math.round(x * 1e5) / 1e5);
    }
    return out;
  }
}
