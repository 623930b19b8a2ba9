package io.redstage.connector;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The connector's version, filtered into a resource at build time: the Maven version and, as build
 * metadata, the commit it was built from ({@code 0.1.0-SNAPSHOT+3ca0183}, {@code .dirty} for
 * uncommitted changes), so that builds of one Maven version tell apart in Connect's plugin list.
 */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/redstage-connector.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through: an unknown version does not stop the connector
    }
    String version = p.getProperty("version", "unknown");
    String commit = p.getProperty("commit", "unknown");
    if (commit.equals("unknown") || commit.startsWith("${")) {
      return version;
    }
    return version + "+" + commit + ("true".equals(p.getProperty("dirty")) ? ".dirty" : "");
  }
}
