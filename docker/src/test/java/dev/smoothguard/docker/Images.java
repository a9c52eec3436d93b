package dev.smoothguard.docker;

/** Image references. */
final class Images {
  private Images() {}

  /**
   * Pinned: a digest, or a tag that names a version (contains a digit) and is not a moving alias
   * like {@code latest}. {@code registry:5000/name} is a registry port, not a tag.
   */
  static boolean isPinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    String lastPart = image.substring(image.lastIndexOf('/') + 1);
    int colon = lastPart.indexOf(':');
    if (colon < 0) {
      return false;
    }
    String tag = lastPart.substring(colon + 1);
    return !tag.contains("latest") && tag.chars().anyMatch(Character::isDigit);
  }
}
