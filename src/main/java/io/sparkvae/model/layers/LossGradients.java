package io.sparkvae.model.layers;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossUtil;

/** The part every loss's gradient shares: masking dL/da and backprop through the output activation. */
final class LossGradients {
  private LossGradients() {}

  /** dL/d(preOutput) from dL/d(activation), honouring per-output and per-example masks. */
  static INDArray throughActivation(INDArray dLda, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    if (mask != null && LossUtil.isPerOutputMasking(dLda, mask)) {
      LossUtil.applyMask(dLda, mask);
    }
    INDArray grad = activationFn.backprop(preOutput.dup(), dLda).getFirst();
    if (mask != null) {
      LossUtil.applyMask(grad, mask);
    }
    return grad;
  }
}
