package dev.smoothguard.schemas.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed key pairs made with the JDK's keytool for TLS tests: a PKCS12 store per party, its
 * certificate as PEM, and its private key as PKCS#8 PEM (which keytool cannot export).
 */
public final class TestCertificates {
  public static final String STORE_PASSWORD = "changeit";

  /** One party: its PKCS12 store (alias {@code name}), certificate PEM file and key PEM text. */
  public record Party(String name, Path store, Path certificatePem, String privateKeyPem) {
    public String certificate() throws Exception {
      return Files.readString(certificatePem, StandardCharsets.US_ASCII);
    }
  }

  private TestCertificates() {}

  /** A key pair for {@code name}; with {@code loopback} its certificate is valid for 127.0.0.1. */
  public static Party create(Path dir, String name, boolean loopback) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Path cert = dir.resolve(name + ".crt");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + (loopback ? "127.0.0.1" : name),
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                STORE_PASSWORD));
    if (loopback) {
      args.addAll(List.of("-ext", "san=ip:127.0.0.1"));
    }
    keytool(args.toArray(String[]::new));
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());
    KeyStore ks = load(store);
    PrivateKey key = (PrivateKey) ks.getKey(name, STORE_PASSWORD.toCharArray());
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    return new Party(name, store, cert, pem);
  }

  /**
   * A server context presenting {@code server}'s key and trusting the {@code trusted} parties'
   * certificates.
   */
  public static SSLContext serverContext(Party server, Party... trusted) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(server.store()), STORE_PASSWORD.toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (Party p : trusted) {
      trust.setCertificateEntry(p.name(), load(p.store()).getCertificate(p.name()));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), trusted.length == 0 ? null : tmf.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path store) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, STORE_PASSWORD.toCharArray());
    }
    return ks;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
  }
}
