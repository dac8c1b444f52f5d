package io.sparkvae.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkvae.config.LatentPriorConfig;
import io.sparkvae.io.HadoopFiles;
import io.sparkvae.io.RunPaths;
import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.LatentMixture;
import io.sparkvae.model.vae.LatentMixtureJson;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.ModelStore;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last part of {@code train} for a VAE: the encoder means μ(x) of a seeded sample of the training images and
 * of the val images, computed on the executors; on the driver a Gaussian mixture over z for each candidate
 * component count, the one with the best mean log-likelihood of the val means kept; written to
 * {@code latent-prior.json} with {@code plots/mixture-samples.png}.
 *
 * <p>Why: the encoder puts the training images in a small part of the space N(0, I) covers, and the decoder draws
 * blends wherever no image was encoded; z drawn from a density fitted to where the images are gives images like
 * them (the README's "Sample quality" shows both).
 */
final class LatentPriorFit {
  private static final Logger LOG = LoggerFactory.getLogger(LatentPriorFit.class);
  private static final int BATCH = 256;

  private LatentPriorFit() {}

  /** Fits and writes the mixture, or, when {@code model.latent-prior.components = [0]}, removes an old one. */
  static void run(JavaSparkContext jsc, HadoopFiles files, LatentPriorConfig config, long seed, RunPaths paths,
      TrainJob.TrainData data, TrainingPlots plots, long sampleSeed) {
    if (!config.enabled()) {
      if (files.exists(paths.latentPrior())) {
        files.delete(paths.latentPrior());
      }
      LOG.info("train: no latent prior fitted (model.latent-prior.components = [0]); sample with "
          + "sample.vae-prior = standard");
      return;
    }
    long t0 = System.nanoTime();
    byte[] modelZip = files.readBytes(paths.model());
    LoadedVae vae = ModelStore.fromBytes(modelZip, false);
    int d = vae.spec().latentDim();
    Broadcast<byte[]> model = jsc.broadcast(modelZip);
    double[] train;
    double[] val;
    try {
      JavaRDD<byte[]> images = data.train();
      if (config.maxImages() > 0 && data.trainCount() > config.maxImages()) {
        images = images.sample(false, config.maxImages() / (double) data.trainCount(), seed);
      }
      jsc.setJobDescription("train: latent prior: encode training images");
      train = means(images, model, d);
      jsc.setJobDescription("train: latent prior: encode val images");
      val = means(data.val(), model, d);
    } finally {
      model.destroy();
    }
    int n = train.length / d;
    int nVal = val.length / d;
    if (n == 0) {
      throw new IllegalStateException("train: no training images to fit the latent prior to");
    }
    ObjectNode fit = LatentMixtureJson.fitSummary();
    ArrayNode tried = fit.putArray("candidates");
    // a component needs a few vectors per dimension of its covariance; fewer would fit noise
    int most = Math.max(1, n / (2 * (d + 1)));
    LatentMixture best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    double bestVal = Double.NaN;
    List<Integer> done = new ArrayList<>();
    for (int asked : config.components()) {
      int k = Math.min(asked, most);
      if (done.contains(k)) {
        continue;
      }
      done.add(k);
      LatentMixture m = LatentMixture.fit(train, n, d, k, config.maxIterations(), seed);
      double trainLl = m.meanLogLikelihood(train, n);
      double valLl = nVal > 0 ? m.meanLogLikelihood(val, nVal) : Double.NaN;
      double score = nVal > 0 ? valLl : trainLl;
      ObjectNode c = tried.addObject();
      c.put("components", k);
      put(c, "train_mean_log_likelihood", trainLl);
      put(c, "val_mean_log_likelihood", valLl);
      LOG.info(String.format(Locale.ROOT, "train: latent prior, %d components%s: mean log-likelihood of z, "
          + "train %.2f, val %.2f nats", k, k < asked ? " (asked " + asked + "; " + n + " vectors allow " + most + ")"
          : "", trainLl, valLl));
      if (best == null || score > bestScore) {
        best = m;
        bestScore = score;
        bestVal = valLl;
      }
    }
    double standardVal = nVal > 0 ? LatentMixture.standardNormalMeanLogLikelihood(val, nVal, d) : Double.NaN;
    fit.put("components", best.components());
    fit.put("train_vectors", n);
    fit.put("val_vectors", nVal);
    put(fit, "val_mean_log_likelihood", bestVal);
    put(fit, "val_standard_normal_mean_log_likelihood", standardVal);
    fit.put("seed", seed);
    files.writeString(paths.latentPrior(), LatentMixtureJson.write(best, fit));
    plots.mixtureSamples(vae, best, sampleSeed);
    LOG.info(String.format(Locale.ROOT, "train: latent prior: %d Gaussians fitted to %d training means in %.1f s; "
        + "val means %.2f nats each under it, %.2f under N(0, I); %s", best.components(), n,
        (System.nanoTime() - t0) / 1e9, bestVal, standardVal,
        files.qualify(paths.latentPrior())));
  }

  /** JSON has no NaN: null stands for "not measured" (no val images). */
  private static void put(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  /** μ(x) of every image, row after row, in partition order. */
  private static double[] means(JavaRDD<byte[]> images, Broadcast<byte[]> model, int d) {
    List<float[]> parts = images.mapPartitions((Iterator<byte[]> pixels) -> {
      if (!pixels.hasNext()) {
        return List.<float[]>of().iterator();
      }
      LoadedVae vae = ModelStore.fromBytes(model.value(), false);
      VaeSpec spec = vae.spec();
      ComputationGraph encoder = VaeGraphs.encoder(vae.graph(), spec);
      List<float[]> out = new ArrayList<>();
      List<byte[]> batch = new ArrayList<>(BATCH);
      while (pixels.hasNext()) {
        batch.add(pixels.next());
        if (batch.size() == BATCH || !pixels.hasNext()) {
          INDArray x = ImageTensors.toBatch(batch, spec.height(), spec.width(), spec.channels());
          INDArray mu = encoder.outputSingle(false, x).get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
          out.add(Nd4j.toFlattened('c', mu).toFloatVector());
          batch.clear();
        }
      }
      return out.iterator();
    }).collect();
    int total = 0;
    for (float[] p : parts) {
      total += p.length;
    }
    double[] all = new double[total];
    int at = 0;
    for (float[] p : parts) {
      for (float v : p) {
        all[at++] = v;
      }
    }
    return all;
  }
}
