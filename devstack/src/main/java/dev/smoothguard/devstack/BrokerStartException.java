package dev.smoothguard.devstack;

/**
 * The embedded broker could not start (its port is taken, its folder cannot be written); the
 * message says which.
 */
public final class BrokerStartException extends RuntimeException {
  public BrokerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
