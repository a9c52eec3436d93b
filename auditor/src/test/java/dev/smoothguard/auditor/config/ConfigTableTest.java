package dev.smoothguard.auditor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smoothguard.schemas.registry.RegistryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of the docs are the definitions rendered: docs/auditor.md holds {@link
 * AuditorConfigDef}, docs/contracts.md {@link RegistryConfig#configDef()}. After changing a
 * definition, run this test with {@code -Dsmoothguard.docs.write=true} to rewrite the tables.
 */
class ConfigTableTest {

  @Test
  void theAuditorPageShowsTheAuditorDefinition() throws IOException {
    check(docs().resolve("auditor.md"), AuditorConfigDef.definition());
  }

  @Test
  void theContractsPageShowsTheRegistryDefinition() throws IOException {
    check(docs().resolve("contracts.md"), RegistryConfig.configDef());
  }

  @Test
  void everyKeyIsDocumented() {
    AuditorConfigDef.definition()
        .configKeys()
        .values()
        .forEach(
            k ->
                assertTrue(
                    k.documentation != null && !k.documentation.isBlank(),
                    k.name + " has no documentation"));
  }

  private static void check(Path page, ConfigDef def) throws IOException {
    String text = Files.readString(page, StandardCharsets.UTF_8);
    String table = ConfigTable.markdown(def);
    if (Boolean.getBoolean("smoothguard.docs.write")) {
      Files.writeString(page, ConfigTable.replaceIn(text, table), StandardCharsets.UTF_8);
      return;
    }
    assertEquals(
        table,
        ConfigTable.extract(text),
        page
            + " differs from the definition: run "
            + "ConfigTableTest with -Dsmoothguard.docs.write=true and commit the page");
  }

  private static Path docs() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docs/auditor.md"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "docs/auditor.md not found above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("docs");
  }
}
