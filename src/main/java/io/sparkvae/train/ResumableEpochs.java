package io.sparkvae.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkvae.config.AppConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-tolerant epoch loop shared by the VAE, the VQ-VAE and the PixelCNN prior: where to start (the newest
 * valid checkpoint of the run, or the beginning when {@code train.resume} is false or there is none), and
 * retrying a failed epoch from the last checkpoint up to {@code train.max-retries} times. A
 * {@link TrainingDivergedException} is never retried. The model-specific work (building the trainer from a
 * restart point, one epoch, what a checkpoint holds) is the {@link Model}'s.
 */
public final class ResumableEpochs {
  private static final Logger LOG = LoggerFactory.getLogger(ResumableEpochs.class);

  /** Where training (re)starts: the last checkpoint's model and metrics lines, or nothing (epoch 0). */
  public record RestartPoint(int epoch, byte[] modelZip, List<String> metrics, String path) {
    static final RestartPoint START = new RestartPoint(0, null, List.of(), null);

    String describe() {
      return path == null ? "the start (no checkpoint yet)" : "checkpoint " + path + " (after epoch " + epoch + ")";
    }

    /** The last good checkpoint's path, for messages, or "none yet". */
    public String pathOrNone() {
      return path == null ? "none yet" : path;
    }
  }

  /** The model being trained. */
  public interface Model {
    /** Builds the trainer from {@code from} and runs epochs {@code from.epoch()+1..}; see {@link Epochs}. */
    Epochs start(RestartPoint from);
  }

  /** A trainer built from a restart point. */
  public interface Epochs {
    /**
     * Runs epoch {@code epoch} (0-based) and returns the restart point after it: a new one when it wrote a
     * checkpoint, else {@code last}.
     */
    RestartPoint epoch(int epoch, RestartPoint last);
  }

  private final String step;
  private final AppConfig config;
  private final int epochs;
  private final HadoopFiles files;
  private final String output;
  private final Checkpoints checkpoints;
  private final JsonNode modelJson;

  /** The loop of {@code train}: {@code train.epochs}, checkpoints of {@code model.*} in {@code checkpoints/}. */
  ResumableEpochs(AppConfig config, HadoopFiles files, RunPaths paths) {
    this("train", config, config.train().epochs(), files, paths.model(),
        new Checkpoints(files, paths.runDir(), config.train().checkpoint().keep()),
        Checkpoints.modelConfigJson(config.model()));
  }

  /**
   * The loop of another training step ({@code train-prior}): {@code epochs} epochs into {@code output}, with
   * {@code checkpoints} of the model described by {@code modelJson}; checkpoint schedule, retries, resume and
   * seed from {@code train.*}.
   */
  public ResumableEpochs(String step, AppConfig config, int epochs, HadoopFiles files, String output,
      Checkpoints checkpoints, JsonNode modelJson) {
    this.step = step;
    this.config = config;
    this.epochs = epochs;
    this.files = files;
    this.output = output;
    this.checkpoints = checkpoints;
    this.modelJson = modelJson;
  }

  /** Writes a checkpoint after {@code epoch} (1-based) epochs when one is due; returns the new restart point. */
  public RestartPoint checkpointIfDue(int epoch, long iteration, byte[] modelZip, List<String> lines,
      RestartPoint last) {
    if (epoch % config.train().checkpoint().every() != 0 && epoch != epochs) {
      return last;
    }
    String path = checkpoints.save(new Checkpoints.State(epoch, iteration, config.train().seed(),
        Checkpoints.hash(modelJson), modelJson, List.copyOf(lines)), modelZip);
    return new RestartPoint(epoch, modelZip, List.copyOf(lines), files.qualify(path));
  }

  public String checkpointDir() {
    return files.qualify(checkpoints.dir());
  }

  /** Trains to the last epoch, resuming and retrying as the class comment says. */
  public void run(Model model) {
    int maxRetries = config.train().maxRetries();
    RestartPoint restart = startingPoint();
    if (restart.epoch() >= epochs && restart.modelZip() != null && !files.exists(output)) {
      // every epoch is done but the model was deleted since: it is the last checkpoint's
      LOG.info("{}: all {} epochs are done; {} is missing and comes back from {}", step, epochs,
          files.qualify(output), restart.path());
      files.writeAtomically(output, restart.modelZip());
    }
    int failures = 0;
    while (true) {
      try {
        Epochs trainer = model.start(restart);
        RestartPoint last = restart;
        for (int epoch = restart.epoch(); epoch < epochs; epoch++) {
          try {
            last = trainer.epoch(epoch, last);
          } catch (TrainingDivergedException e) {
            throw e; // never retried: the same data and model would diverge again
          } catch (Exception e) { // also Spark's checked SparkException, thrown undeclared by its Java API
            throw new EpochFailed(epoch + 1, last, e);
          }
        }
        return;
      } catch (EpochFailed e) {
        // failures count from the newest checkpoint: progress past one resets them
        failures = e.lastCheckpoint == restart ? failures + 1 : 1;
        restart = e.lastCheckpoint;
        String error = String.valueOf(e.getCause().getMessage());
        if (failures > maxRetries) {
          throw new IllegalStateException(step + ": epoch " + e.epoch + " failed " + failures + " time(s) since "
              + restart.describe() + " (train.max-retries = " + maxRetries + "); rerun with the same run-id to "
              + "resume from the last checkpoint. Last error: " + error, e.getCause());
        }
        LOG.warn("{}: epoch {} failed ({}); retrying from {} (retry {}/{})", step, e.epoch, error, restart.describe(),
            failures, maxRetries);
      }
    }
  }

  private RestartPoint startingPoint() {
    if (!config.train().resume()) {
      if (files.exists(checkpoints.dir())) {
        LOG.info("{}: train.resume = false (--fresh): deleting the checkpoints in {}", step, checkpointDir());
        files.delete(checkpoints.dir());
      }
      return RestartPoint.START;
    }
    Optional<Checkpoints.Loaded> newest = checkpoints.newestValid(LOG::warn);
    if (newest.isEmpty()) {
      if (files.exists(output)) {
        LOG.warn("{}: run {} has {} but no valid checkpoint (an attempt failed before its first): starting over",
            step, config.runId(), files.qualify(output));
      }
      return RestartPoint.START;
    }
    Checkpoints.Loaded c = newest.get();
    List<String> changed = Checkpoints.differences(checkpoints.configPrefix(), c.state().modelConfig(), modelJson);
    if (!changed.isEmpty()) {
      throw new IllegalStateException("run " + config.runId() + " has a checkpoint of another model ("
          + String.join("; ", changed) + "): pass --fresh to start over, or choose another run-id");
    }
    LOG.info("{}: resuming from checkpoint {}: epoch {}/{} done, iteration {}", step, files.qualify(c.path()),
        c.state().epoch(), epochs, c.state().iteration());
    return new RestartPoint(c.state().epoch(), c.modelZip(), c.state().metrics(), files.qualify(c.path()));
  }

  /** An epoch failed; training restarts from the newest checkpoint written so far. */
  private static final class EpochFailed extends RuntimeException {
    final int epoch;
    final RestartPoint lastCheckpoint;

    EpochFailed(int epoch, RestartPoint lastCheckpoint, Exception cause) {
      super("epoch " + epoch + " failed", cause, false, false);
      this.epoch = epoch;
      this.lastCheckpoint = lastCheckpoint;
    }
  }
}
