package dev.smoothguard.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12 refuses to instantiate classes named by a schema unless they are trusted (a defence
 * against gadget classes in hostile schemas). The generated contract classes are ours, so the serde
 * trusts exactly their package, keeping whatever else is trusted.
 */
final class TrustedContracts {
  static final String PACKAGE = "dev.smoothguard.schemas.v1";
  private static boolean installed;

  private TrustedContracts() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        c -> c.getPackageName().equals(PACKAGE) || previous.isTrusted(c));
    installed = true;
  }
}
