package dev.smoothguard.auditor.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operations port: {@code /health} (the process is alive and not shutting down), {@code /ready}
 * (200 only while the stream is RUNNING and not paused on a system fault; the body gives the state,
 * the pause reason and any configuration warning) and {@code /metrics} (Prometheus text).
 */
public final class OpsServer implements AutoCloseable {
  private final HttpServer server;

  public OpsServer(
      int port,
      BooleanSupplier alive,
      BooleanSupplier ready,
      Supplier<String> stateText,
      Supplier<String> metrics)
      throws IOException {
    this(port, alive, ready, stateText, () -> "", metrics);
  }

  /**
   * @param details lines under the state on /ready (pause reason, warnings); empty when none
   */
  public OpsServer(
      int port,
      BooleanSupplier alive,
      BooleanSupplier ready,
      Supplier<String> stateText,
      Supplier<String> details,
      Supplier<String> metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext(
        "/health",
        ex ->
            respond(
                ex,
                alive.getAsBoolean() ? 200 : 503,
                alive.getAsBoolean() ? "UP\n" : "DOWN\n",
                "text/plain"));
    server.createContext(
        "/ready",
        ex -> {
          boolean ok = ready.getAsBoolean();
          respond(ex, ok ? 200 : 503, stateText.get() + "\n" + details.get(), "text/plain");
        });
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, metrics.get(), "text/plain; version=0.0.4; charset=utf-8"));
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "ops-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
