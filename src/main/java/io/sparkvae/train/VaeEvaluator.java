package io.sparkvae.train;

import io.sparkvae.io.images.ImageTensors;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.LoadedVae;
import io.sparkvae.model.vae.VaeGraphs;
import io.sparkvae.model.vae.VaeSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Computes the ELBO terms and reconstruction error of a VAE on batches of images. */
public final class VaeEvaluator {
  private static final int BATCH = 128;
  private final VaeSpec spec;
  private final ComputationGraph encoder;
  private final ComputationGraph decoder;
  private final SplittableRandom random;

  public VaeEvaluator(LoadedVae vae, long seed) {
    this.spec = vae.spec();
    this.encoder = VaeGraphs.encoder(vae.graph(), spec);
    this.decoder = VaeGraphs.decoder(vae.graph(), spec);
    this.random = new SplittableRandom(seed);
  }

  /** Evaluates every image of an iterator (HWC uint8 pixels), a batch at a time. */
  public EvalSums evaluate(Iterator<byte[]> pixels) {
    EvalSums sums = EvalSums.ZERO;
    List<byte[]> chunk = new ArrayList<>(BATCH);
    while (pixels.hasNext()) {
      chunk.add(pixels.next());
      if (chunk.size() == BATCH || !pixels.hasNext()) {
        sums = sums.plus(evaluate(ImageTensors.toBatch(chunk, spec.height(), spec.width(),
            spec.channels())));
        chunk.clear();
      }
    }
    return sums;
  }

  /** Evaluates one NCHW batch in [0, 1]. */
  public EvalSums evaluate(INDArray x) {
    long n = x.size(0);
    int latent = spec.latentDim();
    INDArray stats = encoder.outputSingle(false, x).castTo(x.dataType());
    INDArray mu = stats.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent));
    INDArray logVar = Transforms.min(Transforms.max(
        stats.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, 2 * latent)), spec.logVarMin()),
        spec.logVarMax());
    INDArray var = Transforms.exp(logVar, true);
    double kl = 0.5 * mu.mul(mu).addi(var).subi(1.0).subi(logVar).sumNumber().doubleValue();
    INDArray z = mu.add(Transforms.sqrt(var, true).muli(noise(n, latent)));
    INDArray sampled = decoder.outputSingle(false, z);
    INDArray meanRecon = decoder.outputSingle(false, mu);
    double squaredError = meanRecon.sub(x).norm2Number().doubleValue();
    squaredError *= squaredError;
    return new EvalSums(n, squaredError, reconNll(x, sampled), kl);
  }

  /** Posterior-mean reconstructions of a batch, for pictures. */
  public INDArray reconstruct(INDArray x) {
    INDArray stats = encoder.outputSingle(false, x);
    return decoder.outputSingle(false,
        stats.get(NDArrayIndex.all(), NDArrayIndex.interval(0, spec.latentDim())));
  }

  private double reconNll(INDArray x, INDArray p) {
    if (spec.likelihood() == Likelihood.GAUSSIAN) {
      double s = spec.gaussianSigma();
      double sse = p.sub(x).norm2Number().doubleValue();
      return sse * sse / (2 * s * s) + x.size(0) * 0.5 * spec.height() * spec.width()
          * spec.channels() * Math.log(2 * Math.PI * s * s);
    }
    INDArray clipped = Transforms.min(Transforms.max(p, 1e-7), 1 - 1e-7);
    INDArray ll = x.mul(Transforms.log(clipped, true))
        .addi(x.rsub(1.0).muli(Transforms.log(clipped.rsub(1.0), true)));
    return -ll.sumNumber().doubleValue();
  }

  private INDArray noise(long n, int latent) {
    float[] eps = new float[(int) n * latent];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = (float) random.nextGaussian();
    }
    return Nd4j.create(eps, new long[] {n, latent}, 'c');
  }
}
