package dev.smoothguard.devstack;

/** A main class that never returns by itself: stands in for the registry in launcher tests. */
public final class BlockForever {
  private BlockForever() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("blocking " + String.join(",", args));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
