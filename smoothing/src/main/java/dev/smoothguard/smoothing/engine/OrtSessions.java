package dev.smoothguard.smoothing.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates ONNX Runtime sessions on the device asked for; "auto" falls back to the CPU. */
final class OrtSessions {
  private static final Logger LOG = LoggerFactory.getLogger(OrtSessions.class);

  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  /** A session and the device it really runs on ("cpu" or "cuda:N"). */
  record Opened(OrtSession session, String device) {}

  private OrtSessions() {}

  /** Opens with the device policy of {@code options}; the device used is in the result. */
  static Opened openChoosingDevice(byte[] model, EngineOptions options, String what) {
    if (options.device().equals("cpu")) return new Opened(open(model, options, "cpu", what), "cpu");
    String cuda = "cuda:" + options.cudaIndex();
    try {
      return new Opened(create(model, options, cuda), cuda);
    } catch (OrtException | RuntimeException e) {
      if (!options.device().equals("auto")) {
        throw new ModelException("device " + options.device() + " is not usable: " + firstLine(e));
      }
      LOG.info("CUDA not available ({}); running on cpu", firstLine(e));
      return new Opened(open(model, options, "cpu", what), "cpu");
    }
  }

  /** Opens on a known-good device (the one the classifier already runs on). */
  static OrtSession open(byte[] model, EngineOptions options, String device, String what) {
    try {
      return create(model, options, device);
    } catch (OrtException e) {
      throw new ModelException("ONNX Runtime cannot load " + what + ": " + firstLine(e), e);
    }
  }

  private static OrtSession create(byte[] model, EngineOptions options, String device)
      throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (options.intraOpThreads() > 0) so.setIntraOpNumThreads(options.intraOpThreads());
      // idle intra-op threads would otherwise spin for a while after each run, taking the
      // cores from the engine's other sessions and from other processes; a graph run here
      // takes milliseconds, so waking sleeping threads costs nothing measurable
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      if (device.startsWith("cuda")) so.addCUDA(Integer.parseInt(device.substring(5)));
      return ENV.createSession(model, so);
    }
  }

  static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
