package dev.smoothguard.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Consistency-regularised cross-entropy over m noisy copies (Jeong &amp; Shin, NeurIPS 2020):
 * {@code mean CE + λ · mean_i KL(avg ‖ p_i) + η · H(avg)} where p_i = softmax of copy i and
 * avg = mean_i p_i.
 */
final class ConsistencyLoss {
  private ConsistencyLoss() {}

  /** logits (m, B, K), labels (B) int64; returns a scalar. */
  static NDArray of(NDArray logits, NDArray labels, double lambda, double eta) {
    long m = logits.getShape().get(0);
    int k = (int) logits.getShape().get(2);
    NDArray logp = logits.logSoftmax(2);
    NDArray onehot = labels.oneHot(k, DataType.FLOAT32).expandDims(0);
    NDArray ce = logp.mul(onehot).sum(new int[] {2}).mean().neg();
    if (m == 1 || lambda == 0 && eta == 0) return ce;
    NDArray avg = logp.exp().mean(new int[] {0}); // (B, K)
    NDArray logAvg = avg.clip(1e-12, 1.0).log();
    NDArray kl = avg.expandDims(0).mul(logAvg.expandDims(0).sub(logp)).sum(new int[] {2}).mean();
    NDArray entropy = avg.mul(logAvg).sum(new int[] {1}).mean().neg();
    return ce.add(kl.mul((float) lambda)).add(entropy.mul((float) eta));
  }
}
