package dev.smoothguard.schemas.registry;

/** Compatibility levels of the Confluent registry API ({@code /config}). */
public enum Compatibility {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE
}
