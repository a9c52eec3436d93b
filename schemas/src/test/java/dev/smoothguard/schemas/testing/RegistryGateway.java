package dev.smoothguard.schemas.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A reverse proxy in front of the real registry, as registries are often deployed: it can demand
 * HTTP basic auth, terminate TLS, and answer 503 to the first N requests (a registry that is
 * restarting). Every other request is forwarded unchanged to the registry.
 */
public final class RegistryGateway implements AutoCloseable {
  private final HttpServer server;
  private final String target;
  private final String expectedAuthorization;
  private final AtomicInteger failuresLeft;
  private final AtomicInteger requests = new AtomicInteger();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * @param target the registry URL to forward to (its ccompat base)
   * @param user required basic-auth user, or null for none
   * @param password its password
   * @param unavailableFirst how many first requests get a 503
   * @param tls TLS context to serve https with, or null for plain http
   */
  public RegistryGateway(
      String target, String user, String password, int unavailableFirst, SSLContext tls)
      throws IOException {
    this(target, user, password, unavailableFirst, tls, false);
  }

  /**
   * As above; with {@code needClientAuth} the TLS handshake demands a client certificate that the
   * context's trust managers accept (mutual TLS).
   */
  public RegistryGateway(
      String target,
      String user,
      String password,
      int unavailableFirst,
      SSLContext tls,
      boolean needClientAuth)
      throws IOException {
    this.target = target;
    this.expectedAuthorization =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.failuresLeft = new AtomicInteger(unavailableFirst);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(
          new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
              SSLParameters ssl = tls.getDefaultSSLParameters();
              ssl.setNeedClientAuth(needClientAuth);
              params.setSSLParameters(ssl);
            }
          });
      server = https;
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /** The gateway's base URL, standing for the registry's. */
  public String url() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests received so far, refused ones included. */
  public int requests() {
    return requests.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (expectedAuthorization != null
          && !expectedAuthorization.equals(
              exchange.getRequestHeaders().getFirst("Authorization"))) {
        reply(exchange, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        return;
      }
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        reply(exchange, 503, "{\"error_code\":50301,\"message\":\"restarting\"}");
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder forward =
          HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType != null) {
        forward.header("Content-Type", contentType);
      }
      HttpResponse<String> answer =
          http.send(forward.build(), HttpResponse.BodyHandlers.ofString());
      reply(exchange, answer.statusCode(), answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
