package dev.smoothguard.smoothing.engine;

/** Where a smoothing graph's Gaussian noise comes from. */
public enum NoiseSource {
  /**
   * Drawn on the host from L64X128MixRandom streams (64-bit seeds, one stream per sample) and fed
   * to the graph as an input. The default on the CPU.
   */
  HOST,
  /**
   * Drawn inside the graph by ONNX Runtime's RandomNormalLike: cuRAND Philox on CUDA (the default
   * there), libstdc++'s minstd_rand0 on the CPU (period 2^31−2; kept for benchmarks and tests). Its
   * seed is a float32 attribute: seeds 0..2^24 only.
   */
  GRAPH
}
