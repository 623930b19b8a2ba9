package io.redstage.sandbox.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway key store for an HTTPS {@link LocalS3} on 127.0.0.1 ({@link LocalS3.Options#tls}) and
 * a trust store holding its certificate, made with the JDK's keytool: the JDK has no public API
 * that signs a certificate. For tests and benchmarks only.
 */
public final class SelfSignedTls {
  private static final String PASSWORD = "sandbox-only";

  private final Path keyStore;
  private final Path trustStore;

  private SelfSignedTls(Path keyStore, Path trustStore) {
    this.keyStore = keyStore;
    this.trustStore = trustStore;
  }

  /** Creates both stores in a new temporary directory. */
  public static SelfSignedTls create() throws IOException {
    Path dir = Files.createTempDirectory("redstage-sandbox-tls");
    Path keyStore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.crt");
    Path trustStore = dir.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "s3",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "s3",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "s3",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        trustStore.toString(),
        "-storepass",
        PASSWORD);
    return new SelfSignedTls(keyStore, trustStore);
  }

  /** The server's key and certificate (PKCS12). */
  public Path keyStore() {
    return keyStore;
  }

  /** The password of both stores. */
  public String password() {
    return PASSWORD;
  }

  /** Trust managers that trust the server's certificate, for one client. */
  public TrustManager[] trustManagers() {
    try (InputStream in = Files.newInputStream(trustStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Cannot read the trust store " + trustStore, e);
    }
  }

  /**
   * Makes the trust store this JVM's default, for clients built where no trust managers can be
   * passed (a connector task's own S3 client). Takes effect only if nothing in the JVM has used TLS
   * yet; for benchmarks, never in a shared test JVM.
   */
  public void trustInThisJvm() {
    System.setProperty("javax.net.ssl.trustStore", trustStore.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IOException("Cannot run keytool " + args[0] + ": " + output.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Cannot run keytool " + args[0] + ": interrupted", e);
    }
  }
}
