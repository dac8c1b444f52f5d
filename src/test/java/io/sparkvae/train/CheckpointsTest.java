package io.sparkvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvae.config.AppConfig;
import io.sparkvae.config.ConfigLoader;
import io.sparkvae.config.ModelConfig;
import io.sparkvae.io.HadoopFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints commit whole, keep the newest N, skip a damaged one by name, and name a changed model key. */
class CheckpointsTest {
  @TempDir Path run;

  private static ModelConfig model(String... overrides) {
    return AppConfig.from(ConfigLoader.load(null, List.of(overrides), new ArrayList<>())).model();
  }

  private static Checkpoints.State state(int epoch, JsonNode model) {
    return new Checkpoints.State(epoch, epoch * 10L, 42, Checkpoints.hash(model), model,
        List.of("{\"epoch\":" + epoch + "}"));
  }

  @Test
  void keepsTheNewestAndSkipsADamagedOneByName() throws Exception {
    Checkpoints c = new Checkpoints(HadoopFiles.local(), run.toString(), 2);
    JsonNode m = Checkpoints.modelConfigJson(model());
    for (int e = 1; e <= 3; e++) {
      c.save(state(e, m), new byte[] {(byte) e, 2, 3, 4});
    }
    assertEquals(List.of("epoch-000002", "epoch-000003"), c.names());
    List<String> warnings = new ArrayList<>();
    Checkpoints.Loaded newest = c.newestValid(warnings::add).orElseThrow();
    assertEquals(3, newest.state().epoch());
    assertEquals(30L, newest.state().iteration());
    assertEquals(List.of("{\"epoch\":3}"), newest.state().metrics());
    assertArrayEquals(new byte[] {3, 2, 3, 4}, newest.modelZip());
    assertEquals(Checkpoints.hash(m), newest.state().modelConfigHash());
    assertTrue(warnings.isEmpty(), warnings.toString());

    // truncate the newest model: resume falls back to the one before and says why
    Path zip = run.resolve("checkpoints/epoch-000003/model.zip");
    Files.write(zip, new byte[] {3, 2});
    Checkpoints.Loaded fallback = c.newestValid(warnings::add).orElseThrow();
    assertEquals(2, fallback.state().epoch());
    assertEquals(1, warnings.size());
    // (the local file system's checksum notices it first; on HDFS the size and SHA-256 in state.json do)
    assertTrue(warnings.get(0).contains("epoch-000003") && warnings.get(0).contains("model.zip"), warnings.get(0));

    // a half-written checkpoint (its temporary folder) is never taken for one, and the next save removes it
    Path killed = Files.createDirectories(run.resolve("checkpoints/.epoch-000004.tmp-x"));
    assertEquals(List.of("epoch-000002", "epoch-000003"), c.names());
    c.save(state(4, m), new byte[] {4, 2, 3, 4});
    assertEquals(List.of("epoch-000003", "epoch-000004"), c.names());
    assertTrue(Files.notExists(killed));
    try (var left = Files.list(run.resolve("checkpoints"))) {
      assertEquals(List.of("epoch-000003", "epoch-000004"),
          left.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList());
    }
  }

  @Test
  void sameConfigSameHashAndAChangedKeyIsNamed() {
    JsonNode a = Checkpoints.modelConfigJson(model());
    JsonNode b = Checkpoints.modelConfigJson(model("model.latent-dim=16"));
    assertEquals(Checkpoints.hash(a), Checkpoints.hash(Checkpoints.modelConfigJson(model())));
    assertTrue(!Checkpoints.hash(a).equals(Checkpoints.hash(b)));
    List<String> diff = Checkpoints.differences(a, b);
    assertEquals(1, diff.size(), diff.toString());
    assertTrue(diff.get(0).startsWith("model.latent-dim: checkpoint "), diff.get(0));
    assertTrue(diff.get(0).endsWith(", now 16"), diff.get(0));
    // a VAE's hash ignores the VQ-VAE block it does not use
    assertEquals(Checkpoints.hash(a), Checkpoints.hash(Checkpoints.modelConfigJson(
        model("model.vqvae.codebook-size=128"))));
    // nor does the latent prior, fitted after training: a run resumes (and re-fits it) when only that changed,
    // and checkpoints written before the key existed match
    JsonNode otherPrior = Checkpoints.modelConfigJson(model("model.latent-prior.components=[7]"));
    assertEquals(Checkpoints.hash(a), Checkpoints.hash(otherPrior));
    assertEquals(List.of(), Checkpoints.differences(a, otherPrior));
    assertTrue(a.get("latentPrior") == null, a.toString());
    // checkpoints written while the model config still held it match too
    com.fasterxml.jackson.databind.node.ObjectNode withPrior = a.deepCopy();
    withPrior.putObject("latentPrior").put("maxImages", 20000);
    assertEquals(List.of(), Checkpoints.differences(withPrior, a));
  }
}
