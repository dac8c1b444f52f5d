package io.sparkvae.model.vae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code latent-prior.json}: a {@link LatentMixture} as JSON that people and other tools can read: {@code dim},
 * {@code components}, {@code weights}, {@code means} and {@code scale_tril} (each covariance's lower-triangular
 * Cholesky factor, rows of d×d), beside a {@code fit} object describing how it was chosen.
 */
public final class LatentMixtureJson {
  /** The value of the {@code format} field. */
  public static final String FORMAT = "spark-vae latent gaussian mixture v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private LatentMixtureJson() {}

  /** The mixture and the {@code fit} summary as one JSON document. */
  public static String write(LatentMixture mixture, ObjectNode fit) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("dim", mixture.dim());
    root.put("components", mixture.components());
    root.set("fit", fit);
    ArrayNode weights = root.putArray("weights");
    for (double w : mixture.weights()) {
      weights.add(w);
    }
    putRows(root, "means", mixture.means());
    putRows(root, "scale_tril", mixture.scaleTril());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the latent prior as JSON", e);
    }
  }

  private static void putRows(ObjectNode root, String name, double[][] rows) {
    ArrayNode out = root.putArray(name);
    for (double[] r : rows) {
      ArrayNode row = out.addArray();
      for (double v : r) {
        row.add(v);
      }
    }
  }

  /** An empty {@code fit} object to fill. */
  public static ObjectNode fitSummary() {
    return JSON.createObjectNode();
  }

  /**
   * Reads a mixture written by {@link #write}.
   *
   * @param source where the text came from, for the messages
   * @throws IllegalArgumentException naming the source and what is wrong
   */
  public static LatentMixture read(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      JsonNode format = root == null ? null : root.get("format");
      throw new IllegalArgumentException(source + " is not a latent prior written by spark-vae (its \"format\" is "
          + (format == null ? "missing" : format) + ", expected \"" + FORMAT + "\")");
    }
    try {
      return new LatentMixture(vector(root.path("weights"), "weights"), matrix(root.path("means"), "means"),
          matrix(root.path("scale_tril"), "scale_tril"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static double[][] matrix(JsonNode node, String name) {
    if (!node.isArray()) {
      throw new IllegalArgumentException("\"" + name + "\" must be an array of arrays of numbers");
    }
    double[][] out = new double[node.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vector(node.get(i), name + "[" + i + "]");
    }
    return out;
  }

  private static double[] vector(JsonNode node, String name) {
    if (!node.isArray()) {
      throw new IllegalArgumentException("\"" + name + "\" must be an array of numbers");
    }
    double[] out = new double[node.size()];
    for (int i = 0; i < out.length; i++) {
      if (!node.get(i).isNumber()) {
        throw new IllegalArgumentException("\"" + name + "\"[" + i + "] is not a number: " + node.get(i));
      }
      out[i] = node.get(i).asDouble();
    }
    return out;
  }
}
