package dev.smoothguard.schemas.registry;

import static dev.smoothguard.schemas.registry.RegistryConfig.KEYSTORE_CERTIFICATE_CHAIN;
import static dev.smoothguard.schemas.registry.RegistryConfig.KEYSTORE_KEY;
import static dev.smoothguard.schemas.registry.RegistryConfig.KEYSTORE_LOCATION;
import static dev.smoothguard.schemas.registry.RegistryConfig.KEYSTORE_PASSWORD;
import static dev.smoothguard.schemas.registry.RegistryConfig.KEYSTORE_TYPE;
import static dev.smoothguard.schemas.registry.RegistryConfig.KEY_PASSWORD;
import static dev.smoothguard.schemas.registry.RegistryConfig.TRUSTSTORE_CERTIFICATES;
import static dev.smoothguard.schemas.registry.RegistryConfig.TRUSTSTORE_LOCATION;
import static dev.smoothguard.schemas.registry.RegistryConfig.TRUSTSTORE_PASSWORD;
import static dev.smoothguard.schemas.registry.RegistryConfig.TRUSTSTORE_TYPE;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Builds the registry client's {@link SSLContext} from the {@code registry.ssl.*} keys, as Kafka
 * clients do from {@code ssl.*}: trust and client keys each from a JKS/PKCS12 store file, a PEM
 * file ({@code type=PEM}) or inline PEM text ({@code .certificates}, {@code .certificate.chain} +
 * {@code .key}). Private keys are PKCS#8 PEM ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED
 * PRIVATE KEY} with {@code registry.ssl.key.password}).
 */
final class RegistryTls {
  static final String PEM = "PEM";
  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "-----BEGIN (ENCRYPTED )?PRIVATE KEY-----(.*?)-----END (ENCRYPTED )?PRIVATE KEY-----",
          Pattern.DOTALL);
  private static final Pattern CERTIFICATE =
      Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Pattern.DOTALL);
  private static final char[] IN_MEMORY_PASSWORD = new char[0];

  private RegistryTls() {}

  /** The TLS context the keys ask for, or empty when none of them is set (JVM default trust). */
  static Optional<SSLContext> fromSettings(Map<String, Object> v) {
    Optional<KeyStore> trust = trustStore(v);
    Optional<KeyStore> keys = keyStore(v);
    if (trust.isEmpty() && keys.isEmpty()) {
      return Optional.empty();
    }
    try {
      TrustManagerFactory tmf = null;
      if (trust.isPresent()) {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust.get());
      }
      KeyManagerFactory kmf = null;
      if (keys.isPresent()) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys.get(), keyEntryPassword(v));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return Optional.of(context);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          "registry TLS settings are unusable ("
              + KEYSTORE_LOCATION
              + ", "
              + KEY_PASSWORD
              + "?): "
              + e.getMessage());
    }
  }

  private static Optional<KeyStore> trustStore(Map<String, Object> v) {
    String location = string(v, TRUSTSTORE_LOCATION);
    String inline = secret(v, TRUSTSTORE_CERTIFICATES);
    String type = string(v, TRUSTSTORE_TYPE).toUpperCase(Locale.ROOT);
    if (inline != null) {
      if (location != null) {
        throw new ConfigException(
            TRUSTSTORE_CERTIFICATES + " and " + TRUSTSTORE_LOCATION + " cannot both be set");
      }
      return Optional.of(pemTrust(TRUSTSTORE_CERTIFICATES, inline));
    }
    if (location == null) {
      return Optional.empty();
    }
    if (type.equals(PEM)) {
      return Optional.of(pemTrust(TRUSTSTORE_LOCATION, readText(TRUSTSTORE_LOCATION, location)));
    }
    return Optional.of(
        loadStore(
            TRUSTSTORE_LOCATION, TRUSTSTORE_TYPE, location, type, secret(v, TRUSTSTORE_PASSWORD)));
  }

  private static Optional<KeyStore> keyStore(Map<String, Object> v) {
    String location = string(v, KEYSTORE_LOCATION);
    String chain = secret(v, KEYSTORE_CERTIFICATE_CHAIN);
    String key = secret(v, KEYSTORE_KEY);
    String type = string(v, KEYSTORE_TYPE).toUpperCase(Locale.ROOT);
    if (chain != null || key != null) {
      if (chain == null || key == null) {
        throw new ConfigException(
            KEYSTORE_CERTIFICATE_CHAIN + " and " + KEYSTORE_KEY + " must be set together");
      }
      if (location != null) {
        throw new ConfigException(
            KEYSTORE_KEY + " and " + KEYSTORE_LOCATION + " cannot both be set");
      }
      return Optional.of(pemKeys(KEYSTORE_KEY, chain, key, secret(v, KEY_PASSWORD)));
    }
    if (location == null) {
      return Optional.empty();
    }
    if (type.equals(PEM)) {
      String text = readText(KEYSTORE_LOCATION, location);
      return Optional.of(pemKeys(KEYSTORE_LOCATION, text, text, secret(v, KEY_PASSWORD)));
    }
    return Optional.of(
        loadStore(KEYSTORE_LOCATION, KEYSTORE_TYPE, location, type, secret(v, KEYSTORE_PASSWORD)));
  }

  /**
   * The password of the key entry: the key password, else the store's; PEM stores are built with
   * none.
   */
  private static char[] keyEntryPassword(Map<String, Object> v) {
    boolean pem = secret(v, KEYSTORE_KEY) != null || string(v, KEYSTORE_TYPE).equalsIgnoreCase(PEM);
    if (pem) {
      return IN_MEMORY_PASSWORD;
    }
    String key = secret(v, KEY_PASSWORD);
    String store = secret(v, KEYSTORE_PASSWORD);
    String password = key != null ? key : store;
    return password == null ? IN_MEMORY_PASSWORD : password.toCharArray();
  }

  private static KeyStore loadStore(
      String key, String typeKey, String location, String type, String password) {
    Path path = Path.of(location);
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(key, location, "no such file");
    }
    KeyStore store;
    try {
      store = KeyStore.getInstance(type);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(typeKey, type, "unknown key store type (JKS, PKCS12 or PEM)");
    }
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, password == null ? null : password.toCharArray());
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          key,
          location,
          "cannot read the " + type + " store (wrong password or type?): " + e.getMessage());
    }
    return store;
  }

  private static KeyStore pemTrust(String key, String pem) {
    List<Certificate> certificates = certificates(key, pem);
    try {
      KeyStore store = emptyStore();
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(key, "(PEM)", "cannot build a trust store: " + e.getMessage());
    }
  }

  private static KeyStore pemKeys(String key, String chainPem, String keyPem, String keyPassword) {
    List<Certificate> chain = certificates(key, chainPem);
    PrivateKey privateKey = privateKey(key, keyPem, keyPassword);
    try {
      KeyStore store = emptyStore();
      store.setKeyEntry(
          "client", privateKey, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(
          key, "(PEM)", "the key does not match the certificate chain: " + e.getMessage());
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }

  private static List<Certificate> certificates(String key, String pem) {
    // only the certificate blocks: a PEM key store file also holds the private key
    StringBuilder blocks = new StringBuilder();
    Matcher m = CERTIFICATE.matcher(pem);
    while (m.find()) {
      blocks.append(m.group()).append('\n');
    }
    if (blocks.length() == 0) {
      throw new ConfigException(key, "(PEM)", "holds no certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      return new ArrayList<>(
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(blocks.toString().getBytes(StandardCharsets.US_ASCII))));
    } catch (GeneralSecurityException e) {
      throw new ConfigException(key, "(PEM)", "not PEM certificates: " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(String key, String pem, String password) {
    Matcher m = PRIVATE_KEY.matcher(pem);
    if (!m.find()) {
      throw new ConfigException(
          key,
          "(hidden)",
          "holds no PKCS#8 private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2).strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "(hidden)", "the private key is not base64");
    }
    PKCS8EncodedKeySpec spec;
    if (m.group(1) == null) {
      spec = new PKCS8EncodedKeySpec(der);
    } else {
      if (password == null) {
        throw new ConfigException(
            KEY_PASSWORD + " is required: " + key + " is an encrypted private key");
      }
      spec = decrypt(key, der, password);
    }
    for (String algorithm : List.of("RSA", "EC", "EdDSA", "DSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new ConfigException(
        key, "(hidden)", "unsupported private key (RSA, EC, EdDSA or DSA in PKCS#8)");
  }

  private static PKCS8EncodedKeySpec decrypt(String key, byte[] der, String password) {
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      // PBES2 keys name their real algorithm in the parameters
      String algorithm =
          info.getAlgParameters() != null ? info.getAlgParameters().toString() : info.getAlgName();
      SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
      Key secret = factory.generateSecret(new PBEKeySpec(password.toCharArray()));
      Cipher cipher = Cipher.getInstance(algorithm);
      cipher.init(Cipher.DECRYPT_MODE, secret, info.getAlgParameters());
      return info.getKeySpec(cipher);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          key,
          "(hidden)",
          "cannot decrypt the private key (wrong " + KEY_PASSWORD + "?): " + e.getMessage());
    }
  }

  private static String readText(String key, String location) {
    Path path = Path.of(location);
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(key, location, "no such file");
    }
    try {
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(key, location, "cannot read: " + e.getMessage());
    }
  }

  private static String string(Map<String, Object> v, String key) {
    Object value = v.get(key);
    return value == null || value.toString().isBlank() ? null : value.toString().strip();
  }

  private static String secret(Map<String, Object> v, String key) {
    Object value = v.get(key);
    if (value instanceof Password p) {
      return p.value() == null || p.value().isBlank() ? null : p.value().strip();
    }
    return string(v, key);
  }
}
