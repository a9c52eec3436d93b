package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Prometheus finds the auditor, Grafana finds Prometheus and the dashboard, the dashboard is well
 * formed.
 */
class MonitoringConfigTest {
  private final ComposeFile compose = Stack.compose();
  private final Dashboard dashboard = Dashboard.read(Stack.dashboard());

  @Test
  void prometheusScrapesTheAuditorOnItsHttpPort() {
    JsonNode prometheus = Yamls.read(Repo.docker().resolve("prometheus/prometheus.yml"));
    JsonNode job = null;
    for (JsonNode j : prometheus.path("scrape_configs")) {
      if (j.path("job_name").asText().equals("smoothguard-auditor")) {
        job = j;
      }
    }
    assertTrue(job != null, "no smoothguard-auditor scrape job");
    assertEquals("/metrics", job.path("metrics_path").asText());
    JsonNode sd = job.path("dns_sd_configs").get(0);
    assertEquals("auditor", sd.path("names").get(0).asText());
    assertTrue(compose.services().containsKey("auditor"));
    String composePort =
        ComposeFile.environment(compose.service("auditor")).get("SMOOTHGUARD_HTTP_PORT");
    assertEquals(
        composePort, sd.path("port").asText(), "scrape port = the auditor's http.port in compose");
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      assertEquals(
          composePort,
          d.env().get("SMOOTHGUARD_HTTP_PORT"),
          d.file() + " ENV SMOOTHGUARD_HTTP_PORT");
      assertEquals(composePort, d.last("EXPOSE").args().trim(), d.file() + " EXPOSE");
    }
  }

  @Test
  void grafanaReachesPrometheusAndLoadsTheDashboard() throws IOException {
    JsonNode grafana = compose.service("grafana");
    Map<String, Path> mounts = hostPathsByTarget(grafana);
    Path provisioning = mounts.get("/etc/grafana/provisioning");
    assertTrue(provisioning != null, "provisioning is mounted at /etc/grafana/provisioning");

    JsonNode datasource =
        Yamls.read(provisioning.resolve("datasources/prometheus.yaml")).path("datasources").get(0);
    URI url = URI.create(datasource.path("url").asText());
    assertTrue(
        compose.services().containsKey(url.getHost()), "datasource host is a service: " + url);
    assertEquals(9090, url.getPort());
    // Prometheus listens on :9090 unless its command moves it
    assertTrue(
        ComposeFile.args(compose.service("prometheus"), "command").stream()
            .filter(a -> a.startsWith("--web.listen-address"))
            .allMatch(a -> a.endsWith(":9090")),
        "prometheus listens on 9090");

    JsonNode provider =
        Yamls.read(provisioning.resolve("dashboards/smoothguard.yaml")).path("providers").get(0);
    Path dashboards = mounts.get(provider.path("options").path("path").asText());
    assertTrue(
        dashboards != null,
        "the provider's path is a mounted directory: " + provider.path("options").path("path"));
    try (Stream<Path> files = Files.list(dashboards)) {
      assertTrue(
          files.anyMatch(f -> f.equals(Stack.dashboard())), "dashboard JSON in " + dashboards);
    }
    String home = ComposeFile.environment(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    Path homeTarget = Path.of(home);
    assertTrue(
        Files.isRegularFile(
            mounts.get(homeTarget.getParent().toString()).resolve(homeTarget.getFileName())),
        "home dashboard " + home + " is a mounted file");

    Set<String> uids = new HashSet<>();
    uids.add(datasource.path("uid").asText());
    for (JsonNode panel : dashboard.panels()) {
      assertTrue(
          uids.contains(panel.path("datasource").path("uid").asText()),
          "panel datasource: " + panel.path("title"));
      panel
          .path("targets")
          .forEach(
              t ->
                  assertTrue(
                      uids.contains(t.path("datasource").path("uid").asText()),
                      "target datasource in " + panel.path("title")));
    }
  }

  @Test
  void dashboardPanelsHaveUniqueIdsAndUseOnlyDefinedVariables() {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : dashboard.panels()) {
      assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id"));
    }
    Set<String> variables = new HashSet<>(Set.of("__rate_interval", "__interval", "__range"));
    dashboard
        .root()
        .path("templating")
        .path("list")
        .forEach(v -> variables.add(v.path("name").asText()));
    Pattern use = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
    for (String expr : dashboard.expressions()) {
      Matcher m = use.matcher(expr);
      while (m.find()) {
        assertTrue(
            variables.contains(m.group(1)), "undefined variable $" + m.group(1) + " in " + expr);
      }
      assertBalanced(expr);
    }
  }

  @Test
  void dashboardShowsEveryFigureTheIssueAsksFor() {
    List<String> exprs = dashboard.expressions();
    assertTrue(has(exprs, "rate(smoothguard_images_total"), "images/s");
    assertTrue(
        has(exprs, "histogram_quantile(0.5, sum by (le")
            && has(exprs, "histogram_quantile(0.99, sum by (le"),
        "certify latency p50/p99");
    assertTrue(
        exprs.stream()
            .filter(e -> e.startsWith("histogram_quantile"))
            .allMatch(e -> e.contains("smoothguard_certify_latency_seconds_bucket")),
        "quantiles over the latency histogram");
    assertTrue(has(exprs, "rate(smoothguard_noisy_samples_total"), "noisy samples/s");
    assertTrue(has(exprs, "rate(smoothguard_abstained_total"), "abstain rate");
    assertTrue(
        has(exprs, "sum by (reason) (rate(smoothguard_dlq_records_total"), "DLQ rate by reason");
    assertTrue(has(exprs, "smoothguard_consumer_lag_records"), "consumer lag");
    assertTrue(has(exprs, "smoothguard_certified_accuracy"), "certified accuracy at radii");
    assertFalse(dashboard.metricNames().isEmpty());
  }

  private static boolean has(List<String> exprs, String fragment) {
    return exprs.stream().anyMatch(e -> e.contains(fragment));
  }

  private static void assertBalanced(String expr) {
    StringBuilder stack = new StringBuilder();
    boolean quoted = false;
    for (char c : expr.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && "({[".indexOf(c) >= 0) {
        stack.append(c);
      } else if (!quoted && ")}]".indexOf(c) >= 0) {
        char open = "({[".charAt(")}]".indexOf(c));
        assertTrue(
            stack.length() > 0 && stack.charAt(stack.length() - 1) == open,
            "unbalanced '" + c + "' in " + expr);
        stack.setLength(stack.length() - 1);
      }
    }
    assertFalse(quoted, "unterminated string in " + expr);
    assertEquals(0, stack.length(), "unclosed brackets in " + expr);
  }

  private Map<String, Path> hostPathsByTarget(JsonNode service) {
    Map<String, Path> byTarget = new LinkedHashMap<>();
    for (ComposeFile.Mount m : ComposeFile.mounts(service)) {
      Optional.ofNullable(m.source())
          .filter(s -> m.isBind())
          .ifPresent(s -> byTarget.put(m.target(), compose.dir().resolve(s).normalize()));
    }
    return byTarget;
  }
}
