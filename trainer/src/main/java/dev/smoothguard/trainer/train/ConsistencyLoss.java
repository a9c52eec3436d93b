package dev.smoothguard.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Consistency-regularised cross-entropy over m noisy copies (Jeong &amp; Shin, NeurIPS 2020):
 * {@code mean CE + λ · mean_i KL(avg ‖ p_i) + η · H(avg)} where p_i = softmax of copy i and avg =
 * mean_i p_i. The cross-entropy may use label smoothing ε (timm's {@code
 * LabelSmoothingCrossEntropy}, the reference's criterion): {@code (1−ε)·(−log p_y) + ε ·
 * mean_k(−log p_k)}; the KL and entropy terms do not see the labels and stay as they are.
 */
final class ConsistencyLoss {
  private ConsistencyLoss() {}

  /** logits (m, B, K), labels (B) int64; returns a scalar. */
  static NDArray of(NDArray logits, NDArray labels, double lambda, double eta) {
    return of(logits, labels, lambda, eta, 0);
  }

  /**
   * As {@link #of(NDArray, NDArray, double, double)} with label smoothing ε in the cross-entropy.
   */
  static NDArray of(NDArray logits, NDArray labels, double lambda, double eta, double smoothing) {
    long m = logits.getShape().get(0);
    int k = (int) logits.getShape().get(2);
    NDArray logp = logits.logSoftmax(2);
    // the smoothed target: 1−ε on the label plus ε/K on every class (ε = 0: the one-hot label)
    NDArray target =
        labels
            .oneHot(k, DataType.FLOAT32)
            .mul((float) (1 - smoothing))
            .add((float) (smoothing / k))
            .expandDims(0);
    NDArray ce = logp.mul(target).sum(new int[] {2}).mean().neg();
    if (m == 1 || lambda == 0 && eta == 0) return ce;
    NDArray avg = logp.exp().mean(new int[] {0}); // (B, K)
    NDArray logAvg = avg.clip(1e-12, 1.0).log();
    NDArray kl = avg.expandDims(0).mul(logAvg.expandDims(0).sub(logp)).sum(new int[] {2}).mean();
    NDArray entropy = avg.mul(logAvg).sum(new int[] {1}).mean().neg();
    return ce.add(kl.mul((float) lambda)).add(entropy.mul((float) eta));
  }
}
