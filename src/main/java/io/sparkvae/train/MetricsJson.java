package io.sparkvae.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads back a {@code metrics.jsonl} line (e.g. the ones a checkpoint keeps), where null stands for NaN. */
final class MetricsJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricsJson() {}

  static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a checkpoint's metrics line is not JSON: " + line, e);
    }
  }

  /** The number at {@code key}; NaN when it is null or absent (the lines write non-finite numbers as null). */
  static double number(JsonNode line, String key) {
    JsonNode v = line.get(key);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }
}
