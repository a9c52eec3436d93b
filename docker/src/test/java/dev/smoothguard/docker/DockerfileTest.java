package dev.smoothguard.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The two Dockerfiles: what they copy exists and survives the ignore file, what they run matches
 * the build.
 */
class DockerfileTest {
  private static final List<Dockerfile> IMAGES = List.of(Stack.cpuImage(), Stack.cudaImage());

  @Test
  void everyFileCopiedFromTheBuildContextIsInTheCheckout() {
    for (Dockerfile d : IMAGES) {
      for (Dockerfile.Copy copy : d.copies()) {
        if (copy.from() != null) {
          continue;
        }
        for (String source : copy.sources()) {
          Path p = Repo.root().resolve(source).normalize();
          assertTrue(
              Files.exists(p),
              d.file().getFileName() + ": COPY source " + source + " is not in the checkout");
        }
      }
    }
  }

  @Test
  void theIgnoreFilesKeepWhatTheBuildNeedsAndDropBuildOutputs() throws IOException {
    for (Dockerfile d : IMAGES) {
      DockerIgnore ignore = DockerIgnore.read(Path.of(d.file() + ".dockerignore"));
      for (Dockerfile.Copy copy : d.copies()) {
        if (copy.from() == null) {
          copy.sources().stream()
              .filter(s -> !s.equals("."))
              .forEach(
                  s ->
                      assertFalse(
                          ignore.ignores(s.replaceAll("/$", "")),
                          d.file().getFileName() + " copies ignored " + s));
        }
      }
      // the build stage runs the Maven reactor: it needs every module's pom, the wrapper and the
      // sources
      for (String needed :
          List.of(
              "pom.xml",
              "mvnw",
              ".mvn/wrapper/maven-wrapper.properties",
              "auditor/pom.xml",
              "smoothing/pom.xml",
              "schemas/pom.xml",
              "trainer/pom.xml",
              "docker/pom.xml",
              "auditor/src/main/java/X.java",
              "docker/healthcheck/HealthCheck.java")) {
        assertFalse(
            ignore.ignores(needed), d.file().getFileName() + ".dockerignore drops " + needed);
      }
      for (String dropped :
          List.of("auditor/target/lib/x.jar", "smoothing/target/classes", ".git", "target")) {
        assertTrue(
            ignore.ignores(dropped), d.file().getFileName() + ".dockerignore keeps " + dropped);
      }
    }
  }

  @Test
  void theEntrypointRunsTheAuditorJarTheBuildStageProduces() throws Exception {
    // the parent pom names every jar ${project.artifactId}.jar: no version to repeat here
    assertEquals("${project.artifactId}", finalName(Repo.root().resolve("pom.xml")));
    String jar = "auditor/target/" + artifactId(Repo.root().resolve("auditor/pom.xml")) + ".jar";
    String mainClass = launcherMainClass("audit");
    for (Dockerfile d : IMAGES) {
      List<String> entrypoint = d.execForm("ENTRYPOINT");
      assertEquals("java", entrypoint.get(0));
      String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
      assertEquals(jar + ":auditor/target/lib/*", classpath, d.file().getFileName() + " classpath");
      assertEquals(
          mainClass,
          entrypoint.get(entrypoint.size() - 1),
          d.file().getFileName() + " main class = bin/smoothguard's");
      assertTrue(
          d.copies().stream()
              .anyMatch(
                  c -> "build".equals(c.from()) && c.sources().equals(List.of("/src/" + jar))),
          d.file().getFileName() + " copies " + jar + " from the build stage");
      assertTrue(
          d.instructions().stream()
              .anyMatch(
                  i -> i.keyword().equals("RUN") && i.args().contains("package -pl auditor -am")),
          d.file().getFileName() + " builds the auditor with the wrapper");
      assertEquals(List.of("audit", "--config", "config/auditor.properties"), d.execForm("CMD"));
      assertTrue(
          d.copies().stream()
              .anyMatch(
                  c ->
                      c.sources().equals(List.of("docker/auditor.properties"))
                          && c.destination().equals("config/auditor.properties")),
          "the CMD's config file is copied");
    }
  }

  @Test
  void theImagesRunAsAnUnprivilegedUser() {
    for (Dockerfile d : IMAGES) {
      String user = d.last("USER").args().trim();
      assertFalse(
          user.equals("root")
              || user.equals("0")
              || user.startsWith("0:")
              || user.startsWith("root:"),
          d.file().getFileName() + " USER " + user);
      // USER must come after the last RUN that needs root (user creation, chown)
      List<Dockerfile.Instruction> all = d.instructions();
      int userAt = all.lastIndexOf(d.last("USER"));
      assertTrue(
          all.subList(userAt, all.size()).stream().noneMatch(i -> i.keyword().equals("RUN")),
          d.file().getFileName() + ": no RUN after USER");
    }
  }

  @Test
  void theCudaImageNamesTheOnnxRuntimeVersionTheBuildUses() throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Repo.root().resolve("pom.xml").toFile());
    String ort = pom.getElementsByTagName("onnxruntime.version").item(0).getTextContent().trim();
    String text = Files.readString(Stack.cudaImage().file());
    // the CUDA/cuDNN pin was chosen for this ONNX Runtime release: a version bump must revisit it
    assertTrue(
        text.contains("onnxruntime_gpu:" + ort),
        "Dockerfile.cuda explains its CUDA pin for onnxruntime_gpu " + ort);
    assertTrue(
        Stack.cudaImage().stages().stream()
            .anyMatch(s -> s.image().matches("nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-.*")),
        "a CUDA 12 + cuDNN runtime base");
    assertTrue(
        Stack.cudaImage().instructions().stream()
            .anyMatch(i -> i.keyword().equals("RUN") && i.args().contains("-Pgpu")),
        "built with the gpu profile");
  }

  private static String launcherMainClass(String command) throws IOException {
    String launcher = Files.readString(Repo.root().resolve("bin/smoothguard"));
    Matcher m =
        Pattern.compile("^\\s*([a-z|-]+)\\)\\s*module=\\w+;\\s*main=([\\w.]+)", Pattern.MULTILINE)
            .matcher(launcher);
    while (m.find()) {
      if (List.of(m.group(1).split("\\|")).contains(command)) {
        return m.group(2);
      }
    }
    throw new AssertionError("bin/smoothguard has no main class for " + command);
  }

  private static String artifactId(Path pom) throws Exception {
    return topLevel(pom, "artifactId");
  }

  /** The parent pom's build finalName: the jar name the Dockerfiles and the launcher rely on. */
  private static String finalName(Path pom) throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    return doc.getElementsByTagName("finalName").item(0).getTextContent().trim();
  }

  private static String topLevel(Path pom, String tag) throws Exception {
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(pom.toFile())
            .getDocumentElement();
    for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().trim();
      }
    }
    throw new AssertionError(pom + " has no top-level <" + tag + ">");
  }
}
