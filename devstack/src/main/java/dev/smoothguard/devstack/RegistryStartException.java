package dev.smoothguard.devstack;

/** The embedded registry could not be found or started; the message says why and what to do. */
public final class RegistryStartException extends RuntimeException {
  public RegistryStartException(String message) {
    super(message);
  }

  public RegistryStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
