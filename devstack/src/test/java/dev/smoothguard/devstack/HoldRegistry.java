package dev.smoothguard.devstack;

/** Starts an embedded registry, prints its pid, and waits to be killed (orphan test). */
public final class HoldRegistry {
  private HoldRegistry() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedRegistry registry = EmbeddedRegistry.start();
    System.out.println("REGISTRY_PID " + registry.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
