package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Guards the plugin ZIP's size (issue target: at most 25 MB) and the packaging that keeps it there: the
 * Parquet/Hadoop stack lives minimized inside the connector jar, and zstd-jni/snappy-java carry the native
 * libraries of the supported platforms (and only those).
 */
class PluginZipIT {
  /** 25 MB in decimal megabytes, the unit the size target was stated in. */
  static final long MAX_ZIP_BYTES = 25_000_000L;

  private static Path zip() {
    return Paths.get(System.getProperty("redstage.plugin.zip", "target/redstage-kafka-connect-s3.zip"));
  }

  private static Path lib() throws IOException {
    Path plugins = Paths.get(System.getProperty("redstage.plugin.dir", "target/plugins"));
    try (Stream<Path> dirs = Files.list(plugins)) {
      return dirs.filter(Files::isDirectory).findFirst().orElseThrow().resolve("lib");
    }
  }

  private static List<String> jarNames() throws IOException {
    try (Stream<Path> jars = Files.list(lib())) {
      return jars.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> entries(String jarPrefix, String entryPrefix) throws IOException {
    Path jar = lib().resolve(jarNames().stream().filter(n -> n.startsWith(jarPrefix)).findFirst().orElseThrow());
    List<String> out = new ArrayList<>();
    try (ZipFile z = new ZipFile(jar.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        if (!e.isDirectory() && e.getName().startsWith(entryPrefix)) {
          out.add(e.getName());
        }
      }
    }
    return out;
  }

  @Test
  void zipIsAtMost25Megabytes() throws IOException {
    long size = Files.size(zip());
    assertThat(size).as("size of %s in bytes (target: at most %d); see the packaging notes in connector/pom.xml",
        zip(), MAX_ZIP_BYTES).isLessThanOrEqualTo(MAX_ZIP_BYTES);
  }

  @Test
  void parquetAndHadoopShipInsideTheConnectorJarOnly() throws IOException {
    assertThat(jarNames()).anyMatch(n -> n.startsWith("redstage-connector-"))
        .anyMatch(n -> n.startsWith("parquet-loaded-by-name-"))
        .noneMatch(n -> n.startsWith("parquet-") && !n.startsWith("parquet-loaded-by-name-"))
        .noneMatch(n -> n.startsWith("hadoop-") || n.startsWith("woodstox-") || n.startsWith("jts-")
            || n.startsWith("commons-collections4-"));
    assertThat(entries("parquet-loaded-by-name-", "org/apache/parquet/hadoop/codec/ZstandardCodec.class")).hasSize(1);
    assertThat(entries("parquet-loaded-by-name-", "org/apache/parquet/column/values/bitpacking/LemireBitPackingBE.class"))
        .hasSize(1);
    assertThat(entries("redstage-connector-", "org/apache/hadoop/io/compress/GzipCodec.class")).hasSize(1);
    assertThat(entries("redstage-connector-", "core-default.xml")).hasSize(1);
    assertThat(entries("redstage-connector-", "shaded/parquet/com/fasterxml/")).isEmpty();
  }

  @Test
  void minimizationKeepsTheExactJsonConverterAndItsServiceEntry() throws IOException {
    assertThat(entries("redstage-connector-", "io/redstage/connector/convert/ExactJsonConverter.class")).hasSize(1);
    assertThat(entries("redstage-connector-", "META-INF/services/org.apache.kafka.connect.storage.Converter"))
        .hasSize(1);
  }

  @Test
  void nativeCodecsCoverTheSupportedPlatformsOnly() throws IOException {
    assertThat(entries("zstd-jni-", "").stream().filter(n -> n.contains("libzstd-jni")).map(n -> n.substring(0, n.lastIndexOf('/'))))
        .containsExactlyInAnyOrder("linux/amd64", "linux/aarch64", "darwin/x86_64", "darwin/aarch64", "win/amd64");
    assertThat(entries("snappy-java-", "org/xerial/snappy/native/").stream().filter(n -> n.contains("snappyjava"))
        .map(n -> n.substring("org/xerial/snappy/native/".length(), n.lastIndexOf('/'))))
        .containsExactlyInAnyOrder("Linux/x86_64", "Linux/x86_64-musl", "Linux/aarch64", "Mac/x86_64", "Mac/aarch64",
            "Windows/x86_64");
  }
}
