package io.sparkvae.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.data.BadInputException;
import java.util.Optional;

/**
 * Which VQ-VAE the VQ path's later outputs come from: {@code encode} records the SHA-256 of the {@code model.zip}
 * it encoded with in {@code codes/_codes.json}, and {@code train-prior} the one whose codes its prior models in
 * {@code prior.json}. A VQ-VAE trained again since has other codes: {@code train-prior} refuses codes of another
 * model, and {@code sample} a prior of another model's codes, instead of silently decoding nonsense. Outputs
 * written before this record existed are taken as they are.
 */
public final class VqLineage {
  /** Inside the codes directory; Spark's Parquet reader skips names starting with an underscore. */
  public static final String CODES_INFO = "_codes.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "vq_model_sha256";

  private VqLineage() {}

  /** Writes {@code path} saying the output was made from the VQ-VAE whose {@code model.zip} hashes to {@code sha}. */
  public static void write(HadoopFiles files, String path, String sha) {
    ObjectNode json = JSON.createObjectNode();
    json.put(KEY, sha);
    files.writeString(path, json.toPrettyString());
  }

  /** The VQ-VAE hash recorded at {@code path}, or empty when there is no readable record. */
  public static Optional<String> read(HadoopFiles files, String path) {
    try {
      if (!files.exists(path)) {
        return Optional.empty();
      }
      JsonNode json = JSON.readTree(files.readString(path));
      return json.hasNonNull(KEY) ? Optional.of(json.get(KEY).asText()) : Optional.empty();
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Throws {@link BadInputException} when {@code path} records another VQ-VAE than {@code sha}: {@code what} names
   * the output (e.g. "the code grids at …") and {@code remedy} what to run.
   */
  public static void check(HadoopFiles files, String path, String sha, String what, String remedy) {
    Optional<String> recorded = read(files, path);
    if (recorded.isPresent() && !recorded.get().equals(sha)) {
      throw new BadInputException(what + " came from another VQ-VAE (model.zip SHA-256 " + shortHash(recorded.get())
          + "…, the run's is now " + shortHash(sha) + "…; it was trained again since): " + remedy);
    }
  }

  private static String shortHash(String sha) {
    return sha.substring(0, Math.min(12, sha.length()));
  }
}
