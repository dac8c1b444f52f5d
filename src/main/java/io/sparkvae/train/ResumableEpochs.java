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
 * The fault-tolerant epoch loop shared by the VAE and the VQ-VAE: where to start (the newest valid checkpoint of
 * the run, or the beginning when {@code train.resume} is false or there is none), and retrying a failed epoch
 * from the last checkpoint up to {@code train.max-retries} times. A {@link TrainingDivergedException} is never
 * retried. The model-specific work (building the trainer from a restart point, one epoch, what a checkpoint
 * holds) is the {@link Model}'s.
 */
final class ResumableEpochs {
  private static final Logger LOG = LoggerFactory.getLogger(ResumableEpochs.class);

  /** Where training (re)starts: the last checkpoint's model and metrics lines, or nothing (epoch 0). */
  record RestartPoint(int epoch, byte[] modelZip, List<String> metrics, String path) {
    static final RestartPoint START = new RestartPoint(0, null, List.of(), null);

    String describe() {
      return path == null ? "the start (no checkpoint yet)" : "checkpoint " + path + " (after epoch " + epoch + ")";
    }
  }

  /** The model being trained. */
  interface Model {
    /** Builds the trainer from {@code from} and runs epochs {@code from.epoch()+1..}; see {@link Epochs}. */
    Epochs start(RestartPoint from);
  }

  /** A trainer built from a restart point. */
  interface Epochs {
    /**
     * Runs epoch {@code epoch} (0-based) and returns the restart point after it: a new one when it wrote a
     * checkpoint, else {@code last}.
     */
    RestartPoint epoch(int epoch, RestartPoint last);
  }

  private final AppConfig config;
  private final HadoopFiles files;
  private final RunPaths paths;
  private final Checkpoints checkpoints;
  private final JsonNode modelJson;

  ResumableEpochs(AppConfig config, HadoopFiles files, RunPaths paths) {
    this.config = config;
    this.files = files;
    this.paths = paths;
    this.checkpoints = new Checkpoints(files, paths.runDir(), config.train().checkpoint().keep());
    this.modelJson = Checkpoints.modelConfigJson(config.model());
  }

  /** Writes a checkpoint after {@code epoch} (1-based) epochs when one is due; returns the new restart point. */
  RestartPoint checkpointIfDue(int epoch, long iteration, byte[] modelZip, List<String> lines, RestartPoint last) {
    if (epoch % config.train().checkpoint().every() != 0 && epoch != config.train().epochs()) {
      return last;
    }
    String path = checkpoints.save(new Checkpoints.State(epoch, iteration, config.train().seed(),
        Checkpoints.hash(modelJson), modelJson, List.copyOf(lines)), modelZip);
    return new RestartPoint(epoch, modelZip, List.copyOf(lines), files.qualify(path));
  }

  String checkpointDir() {
    return files.qualify(checkpoints.dir());
  }

  /** Trains to {@code train.epochs}, resuming and retrying as the class comment says. */
  void run(Model model) {
    int maxRetries = config.train().maxRetries();
    RestartPoint restart = startingPoint();
    int failures = 0;
    while (true) {
      try {
        Epochs epochs = model.start(restart);
        RestartPoint last = restart;
        for (int epoch = restart.epoch(); epoch < config.train().epochs(); epoch++) {
          try {
            last = epochs.epoch(epoch, last);
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
          throw new IllegalStateException("train: epoch " + e.epoch + " failed " + failures + " time(s) since "
              + restart.describe() + " (train.max-retries = " + maxRetries + "); rerun with the same run-id to "
              + "resume from the last checkpoint. Last error: " + error, e.getCause());
        }
        LOG.warn("train: epoch {} failed ({}); retrying from {} (retry {}/{})", e.epoch, error, restart.describe(),
            failures, maxRetries);
      }
    }
  }

  private RestartPoint startingPoint() {
    if (!config.train().resume()) {
      if (files.exists(checkpoints.dir())) {
        LOG.info("train: train.resume = false (--fresh): deleting the checkpoints in {}", checkpointDir());
        files.delete(checkpoints.dir());
      }
      return RestartPoint.START;
    }
    Optional<Checkpoints.Loaded> newest = checkpoints.newestValid(LOG::warn);
    if (newest.isEmpty()) {
      if (files.exists(paths.model())) {
        LOG.warn("train: run {} has a model but no valid checkpoint (an attempt failed before its first): "
            + "starting over", config.runId());
      }
      return RestartPoint.START;
    }
    Checkpoints.Loaded c = newest.get();
    List<String> changed = Checkpoints.differences(c.state().modelConfig(), modelJson);
    if (!changed.isEmpty()) {
      throw new IllegalStateException("run " + config.runId() + " has a checkpoint of another model ("
          + String.join("; ", changed) + "): pass --fresh to start over, or choose another run-id");
    }
    LOG.info("train: resuming from checkpoint {}: epoch {}/{} done, iteration {}", files.qualify(c.path()),
        c.state().epoch(), config.train().epochs(), c.state().iteration());
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
