package io.redstage.loader.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The loader's version for {@code --version}, filtered into a resource at build time from the Maven
 * project version.
 */
public final class LoaderVersion implements IVersionProvider {
  private static final String RESOURCE = "/redstage-loader.properties";

  /**
   * The version, e.g. 0.1.0 or 0.1.0-SNAPSHOT, with the commit it was built from as build metadata
   * ({@code 0.1.0-SNAPSHOT+3ca0183}, {@code .dirty} for uncommitted changes) when the build knew
   * it: builds of one Maven version tell apart in {@code --version}, the metrics and the logs.
   */
  public static String get() {
    Properties p = new Properties();
    try (InputStream in = LoaderVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Cannot read the loader version: "
                + RESOURCE
                + " is missing from the "
                + "classpath. Build the loader with Maven, which writes it.");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the loader version from "
              + RESOURCE
              + ": "
              + e.getMessage()
              + ". Rebuild the loader.",
          e);
    }
    String version = p.getProperty("version");
    String commit = p.getProperty("commit", "unknown");
    if (commit.equals("unknown") || commit.startsWith("${")) {
      return version;
    }
    return version + "+" + commit + ("true".equals(p.getProperty("dirty")) ? ".dirty" : "");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"redstage copy-loader " + get()};
  }
}
