package dev.smoothguard.smoothing.engine;

/**
 * The answer for one image.
 *
 * @param mode which algorithm produced it
 * @param predictedClass the smoothed classifier's class, or {@link #ABSTAIN}
 * @param radius certified L2 radius in [0,1] pixel units (0 on abstain, and always 0 for PREDICT);
 *     in TARGET mode the best radius proven with the samples used
 * @param pALower lower confidence bound on the probability of the predicted class (NaN for PREDICT)
 * @param countTop how many noisy samples (of the estimation draw) voted for the class
 * @param samplesUsed all noisy samples drawn for this image, selection included
 * @param certifiedAtTarget TARGET mode: whether the target radius was proven
 * @param device where it ran, e.g. "cpu" or "cuda:0"
 * @param millis wall time for this image
 */
public record Certificate(
    Mode mode,
    int predictedClass,
    double radius,
    double pALower,
    long countTop,
    long samplesUsed,
    boolean certifiedAtTarget,
    String device,
    double millis) {

  public static final int ABSTAIN = -1;

  public boolean abstained() {
    return predictedClass == ABSTAIN;
  }
}
