package dev.smoothguard.auditor.stream;

import dev.smoothguard.schemas.registry.RegistryClient;
import dev.smoothguard.schemas.registry.RegistryConfig;
import java.util.Optional;

/**
 * Asks the registry for a schema id it must know (one the auditor registered itself at start), with
 * a fresh client so no cache answers for it. When a record's schema id is "unknown", this tells a
 * record that names a wrong id (the probe passes: dead-letter it) from a registry that answers 404
 * for everything, e.g. a wrong base path (the probe fails: pause).
 */
public interface RegistryProbe {
  /** Empty when the registry serves a known id, else what went wrong. */
  Optional<String> problem();

  /** A probe that always passes (no registry to check, e.g. a test without one). */
  RegistryProbe NONE = Optional::empty;

  static RegistryProbe of(RegistryConfig config, int knownSchemaId) {
    return () -> {
      try {
        new RegistryClient(config).schemaById(knownSchemaId, null);
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of(
            "the registry does not serve schema id "
                + knownSchemaId
                + " that the auditor registered itself: "
                + e.getMessage());
      }
    };
  }
}
