package dev.smoothguard.auditor.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Headers on every CertifiedPrediction saying which model produced it and where it ran. */
public final class LineageHeaders {
  public static final String MODEL_NAME = "smoothguard.model.name";
  public static final String MODEL_VERSION = "smoothguard.model.version";
  public static final String MODEL_SHA256 = "smoothguard.model.sha256";
  public static final String DEVICE = "smoothguard.device";

  private LineageHeaders() {}

  public static Headers of(String name, String version, String sha256, String device) {
    RecordHeaders h = new RecordHeaders();
    h.add(MODEL_NAME, name.getBytes(StandardCharsets.UTF_8));
    h.add(MODEL_VERSION, version.getBytes(StandardCharsets.UTF_8));
    h.add(MODEL_SHA256, sha256.getBytes(StandardCharsets.UTF_8));
    h.add(DEVICE, device.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  public static String get(Headers headers, String key) {
    var h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
