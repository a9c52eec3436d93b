package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/healthcheck/HealthCheck.java, compiled as the image's build stage compiles it and run as
 * the HEALTHCHECK runs it (its own JVM, exit code), against a real HTTP server on loopback.
 */
class HealthCheckTest {
  @TempDir Path classes;
  private HttpServer server;
  private HealthProbe probe;

  @BeforeEach
  void compileAndServe() throws IOException {
    probe = HealthProbe.compileInto(classes);

    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    respond("/health", 200);
    respond("/ready", 503);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void healthyWhenTheEndpointAnswers2xx() throws Exception {
    assertEquals(0, probe.run(List.of(url("/health")), Map.of()));
  }

  @Test
  void unhealthyWhenTheEndpointAnswersAnError() throws Exception {
    assertEquals(1, probe.run(List.of(url("/ready")), Map.of()));
    assertEquals(1, probe.run(List.of(url("/missing")), Map.of()));
  }

  @Test
  void unhealthyWhenNothingListens() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertEquals(1, probe.run(List.of("http://127.0.0.1:" + closedPort + "/health"), Map.of()));
  }

  @Test
  void withoutArgumentsItProbesHealthOnTheConfiguredHttpPort() throws Exception {
    // what the images' HEALTHCHECK does: no URL, SMOOTHGUARD_HTTP_PORT from the environment
    String port = Integer.toString(server.getAddress().getPort());
    assertEquals(0, probe.run(List.of(), Map.of("SMOOTHGUARD_HTTP_PORT", port)));
  }

  @Test
  void theImagesRunThisProbeWithoutArguments() {
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      List<String> cmd = d.execForm("HEALTHCHECK");
      assertEquals("java", cmd.get(0), d.file() + " HEALTHCHECK");
      assertEquals(
          "HealthCheck",
          cmd.get(cmd.size() - 1),
          d.file() + " HEALTHCHECK runs the class with no URL");
      assertEquals("/opt/smoothguard/healthcheck", cmd.get(cmd.indexOf("-cp") + 1));
      assertTrue(
          d.copies().stream()
              .anyMatch(
                  c ->
                      c.destination().equals("healthcheck/")
                          && c.sources().contains("/out/healthcheck/")),
          d.file() + " copies the compiled probe");
      assertTrue(
          d.instructions().stream()
              .anyMatch(
                  i ->
                      i.keyword().equals("RUN")
                          && i.args()
                              .contains(
                                  "javac -d /out/healthcheck docker/healthcheck/HealthCheck.java")),
          d.file() + " compiles the probe");
    }
  }

  private void respond(String path, int status) {
    server.createContext(
        path,
        exchange -> {
          byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }
}
