package io.redstage.examples.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds the connector plugin the Connect worker loads: the plugin ZIP the connector module builds
 * (unpacked into a fresh plugin directory, as a user unpacks it onto {@code plugin.path}) or an
 * already unpacked directory.
 */
public final class PluginLocator {
  static final String ZIP_GLOB = "redstage-kafka-connect-s3-*.zip";

  private PluginLocator() {}

  /**
   * The plugin path for the worker.
   *
   * @param plugin a plugin ZIP, a directory holding unpacked plugins, or null to look for the built
   *     ZIP under {@code connector/target} of the current directory or its parent
   * @param workDir where to unpack a ZIP
   */
  public static Path pluginPath(Path plugin, Path workDir) {
    Path source = plugin != null ? plugin : findBuiltZip();
    if (Files.isDirectory(source)) {
      return source;
    }
    if (!Files.isRegularFile(source)) {
      throw new IllegalArgumentException(
          "Cannot load the connector plugin: "
              + source.toAbsolutePath()
              + " does not exist. Build it with 'mvn -B -pl connector -am -DskipTests package', or pass --plugin <zip or dir>.");
    }
    Path target = workDir.resolve("plugins");
    unzip(source, target);
    return target;
  }

  private static Path findBuiltZip() {
    for (Path base :
        List.of(Path.of("connector", "target"), Path.of("..", "connector", "target"))) {
      if (Files.isDirectory(base)) {
        try (Stream<Path> files = Files.list(base)) {
          var zip =
              files
                  .filter(
                      p -> p.getFileName().toString().matches("redstage-kafka-connect-s3-.*\\.zip"))
                  .findFirst();
          if (zip.isPresent()) {
            return zip.get();
          }
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot list " + base.toAbsolutePath() + ": " + e.getMessage(), e);
        }
      }
    }
    return Path.of("connector", "target", ZIP_GLOB);
  }

  /** Unpacks {@code zip} under {@code target}, refusing entries that would land outside it. */
  static void unzip(Path zip, Path target) {
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream entries = new ZipInputStream(in)) {
      Files.createDirectories(target);
      Path root = target.toAbsolutePath().normalize();
      for (ZipEntry e = entries.getNextEntry(); e != null; e = entries.getNextEntry()) {
        Path out = root.resolve(e.getName()).normalize();
        if (!out.startsWith(root)) {
          throw new IllegalArgumentException(
              "Cannot unpack "
                  + zip
                  + ": entry '"
                  + e.getName()
                  + "' points outside the plugin directory. Use the ZIP the connector module builds.");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(entries, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot unpack the connector plugin " + zip + ": " + e.getMessage(), e);
    }
  }
}
