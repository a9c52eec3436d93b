import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * Container health probe for the auditor images: exits 0 when {@code GET url} answers 2xx, 1
 * otherwise (connection refused, timeout, any other status).
 *
 * <p>The NVIDIA CUDA runtime image removes curl after its own setup and the Temurin JRE image does
 * not promise curl or wget; installing one only for a probe would grow the image and its attack
 * surface. The JRE is always there, so the build stage compiles this one class and the HEALTHCHECK
 * runs it with the image's own JRE. The URL defaults to the auditor's {@code /health} on {@code
 * SMOOTHGUARD_HTTP_PORT} (8080), so moving the port by environment moves the probe with it.
 */
public final class HealthCheck {
  private static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final int READ_TIMEOUT_MS = 3_000;

  private HealthCheck() {}

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : defaultUrl(System.getenv("SMOOTHGUARD_HTTP_PORT"));
    int status;
    try {
      status = get(url);
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("unhealthy: " + url + ": " + e);
      System.exit(1);
      return;
    }
    if (status / 100 != 2) {
      System.err.println("unhealthy: " + url + " answered HTTP " + status);
      System.exit(1);
    }
  }

  static String defaultUrl(String port) {
    String p = port == null || port.isBlank() ? "8080" : port.trim();
    return "http://127.0.0.1:" + p + "/health";
  }

  private static int get(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(CONNECT_TIMEOUT_MS);
    c.setReadTimeout(READ_TIMEOUT_MS);
    c.setRequestMethod("GET");
    try {
      int status = c.getResponseCode();
      // drain so the server sees a complete exchange, not a reset
      try (InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      return status;
    } finally {
      c.disconnect();
    }
  }
}
