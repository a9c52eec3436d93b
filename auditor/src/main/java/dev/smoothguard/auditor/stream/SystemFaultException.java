package dev.smoothguard.auditor.stream;

import dev.smoothguard.auditor.ops.SystemHealth.Component;

/**
 * A fault of the system, not of the record being processed (the registry refuses the auditor, the
 * model session is broken, the device is lost): thrown out of the processor so that the record is
 * neither dead-lettered nor committed. See {@link DeadLetterHandlers} for what happens next (the
 * stream thread is replaced after a backoff and the record is read again from the last commit).
 */
public final class SystemFaultException extends RuntimeException {
  private final Component component;

  public SystemFaultException(Component component, String message, Throwable cause) {
    super(message, cause);
    this.component = component;
  }

  public Component component() {
    return component;
  }
}
