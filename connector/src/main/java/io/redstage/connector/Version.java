package io.redstage.connector;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The connector's version, filtered into a resource at build time. */
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
    return p.getProperty("version", "unknown");
  }
}
