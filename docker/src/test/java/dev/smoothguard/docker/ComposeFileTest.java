package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docker/compose.yaml and its GPU override, checked the way Compose would read them. */
class ComposeFileTest {

  @Test
  void theStackHasEveryServiceTheDeploymentNeeds() {
    Set<String> services = Stack.compose().services().keySet();
    assertTrue(
        services.containsAll(
            List.of(
                "kafka",
                "kafka-init",
                "schema-registry",
                "auditor",
                "replay",
                "prometheus",
                "grafana")),
        "services: " + services);
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    List<String> images = new ArrayList<>();
    for (ComposeFile file : List.of(Stack.compose(), Stack.gpuOverride())) {
      file.services()
          .forEach(
              (name, s) -> {
                if (s.has("image")) {
                  images.add(
                      file.file().getFileName() + " " + name + ": " + s.get("image").asText());
                }
              });
    }
    for (Dockerfile d : List.of(Stack.cpuImage(), Stack.cudaImage())) {
      Set<String> stageNames = new HashSet<>();
      for (Dockerfile.Stage stage : d.stages()) {
        if (!stageNames.contains(stage.image())) {
          images.add(d.file().getFileName() + " FROM: " + stage.image());
        }
        if (stage.name() != null) {
          stageNames.add(stage.name());
        }
      }
    }
    assertFalse(images.isEmpty());
    for (String entry : images) {
      String image = entry.substring(entry.lastIndexOf(' ') + 1);
      assertTrue(Images.isPinned(image), "not pinned to a version: " + entry);
    }
  }

  @Test
  void everyFileTheComposeFilesReferToExists() {
    for (ComposeFile file : List.of(Stack.compose(), Stack.gpuOverride())) {
      file.services()
          .forEach(
              (name, s) -> {
                JsonNode build = s.path("build");
                if (!build.isMissingNode()) {
                  Path context =
                      file.dir()
                          .resolve(
                              build.isTextual()
                                  ? build.asText()
                                  : build.path("context").asText("."))
                          .normalize();
                  assertTrue(Files.isDirectory(context), name + ": build context " + context);
                  String dockerfile = build.path("dockerfile").asText("Dockerfile");
                  assertTrue(
                      Files.isRegularFile(context.resolve(dockerfile)),
                      name + ": dockerfile " + context.resolve(dockerfile));
                }
                for (ComposeFile.Mount m : ComposeFile.mounts(s)) {
                  if (m.isBind()) {
                    Path source = file.dir().resolve(m.source()).normalize();
                    assertTrue(
                        Files.exists(source),
                        name + ": bind-mount source " + source + " (" + m.target() + ")");
                  }
                }
              });
    }
  }

  @Test
  void dependenciesNameServicesOfTheStack() {
    Map<String, JsonNode> all = new LinkedHashMap<>(Stack.compose().services());
    Stack.gpuOverride()
        .services()
        .forEach(
            (name, s) ->
                assertTrue(
                    all.containsKey(name),
                    "compose.gpu.yaml overrides a service compose.yaml lacks: " + name));
    all.forEach(
        (name, s) -> {
          JsonNode deps = s.path("depends_on");
          List<String> names = new ArrayList<>();
          if (deps.isArray()) {
            deps.forEach(d -> names.add(d.asText()));
          } else {
            deps.fieldNames().forEachRemaining(names::add);
          }
          for (String d : names) {
            assertTrue(all.containsKey(d), name + " depends on unknown service " + d);
            assertFalse(d.equals(name), name + " depends on itself");
          }
        });
  }

  @Test
  void replayStartsOnlyOnceItsTopicExistsAndTheAuditorIsUp() {
    JsonNode deps = Stack.compose().service("replay").path("depends_on");
    assertEquals(
        "service_completed_successfully", deps.path("kafka-init").path("condition").asText());
    assertEquals("service_healthy", deps.path("auditor").path("condition").asText());
    List<String> init = ComposeFile.args(Stack.compose().service("kafka-init"), "command");
    List<String> replay = ComposeFile.args(Stack.compose().service("replay"), "command");
    assertEquals(
        valueAfter(replay, "--topic"),
        valueAfter(init, "--topic"),
        "replay writes to the topic kafka-init creates");
    assertEquals(
        valueAfter(init, "--partitions"),
        ComposeFile.environment(Stack.compose().service("auditor"))
            .get("SMOOTHGUARD_TOPIC_PARTITIONS"),
        "kafka-init and the auditor create topics with the same partition count");
  }

  @Test
  void everyClientUsesTheBrokerAddressTheBrokerAdvertisesInside() {
    ComposeFile compose = Stack.compose();
    String internal = KafkaService.internalAddress(compose);
    assertEquals(
        internal,
        ComposeFile.environment(compose.service("auditor"))
            .get("SMOOTHGUARD_KAFKA_BOOTSTRAP_SERVERS"));
    assertEquals(
        internal,
        valueAfter(ComposeFile.args(compose.service("replay"), "command"), "--bootstrap-servers"));
    assertEquals(
        internal,
        valueAfter(
            ComposeFile.args(compose.service("kafka-init"), "command"), "--bootstrap-server"));
    String registryStore =
        ComposeFile.environment(compose.service("schema-registry"))
            .get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS");
    assertEquals(internal, registryStore.replaceFirst("^[A-Z_]+://", ""));
  }

  @Test
  void everyClientUsesTheRegistryAddressTheRegistryListensOn() {
    ComposeFile compose = Stack.compose();
    Map<String, String> registryEnv = ComposeFile.environment(compose.service("schema-registry"));
    String port = registryEnv.get("SCHEMA_REGISTRY_LISTENERS").replaceFirst(".*:(\\d+)$", "$1");
    String url = "http://schema-registry:" + port;
    assertEquals(
        url, ComposeFile.environment(compose.service("auditor")).get("SMOOTHGUARD_REGISTRY_URL"));
    assertEquals(
        url, valueAfter(ComposeFile.args(compose.service("replay"), "command"), "--registry-url"));
  }

  @Test
  void theGpuOverrideRunsTheCudaImageWithOneReservedGpu() {
    JsonNode auditor = Stack.gpuOverride().service("auditor");
    assertEquals("docker/Dockerfile.cuda", auditor.path("build").path("dockerfile").asText());
    assertEquals("cuda", ComposeFile.environment(auditor).get("SMOOTHGUARD_DEVICE"));
    JsonNode devices =
        auditor.path("deploy").path("resources").path("reservations").path("devices");
    assertEquals(1, devices.size(), "one device reservation");
    JsonNode gpu = devices.get(0);
    assertEquals("nvidia", gpu.path("driver").asText());
    assertTrue(
        gpu.path("capabilities").toString().contains("\"gpu\""),
        "capabilities: " + gpu.path("capabilities"));
    int count = gpu.has("device_ids") ? gpu.path("device_ids").size() : gpu.path("count").asInt(-1);
    assertEquals(1, count, "exactly one GPU per auditor instance: " + gpu);
    assertFalse(
        auditor
            .path("image")
            .asText()
            .equals(Stack.compose().service("auditor").path("image").asText()),
        "the CUDA image must not overwrite the CPU image's tag");
  }

  static String valueAfter(List<String> args, String flag) {
    int i = args.indexOf(flag);
    assertTrue(i >= 0 && i + 1 < args.size(), flag + " missing in " + args);
    return args.get(i + 1);
  }
}
