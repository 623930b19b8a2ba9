package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Guards the plugin ZIP's size (issue target: at most 25 MB) and the packaging that keeps it there:
 * the Parquet/Hadoop stack lives minimized inside the connector jar, and zstd-jni/snappy-java carry
 * the native libraries of the supported platforms (and only those).
 */
class PluginZipIT {
  /** 25 MB in decimal megabytes, the unit the size target was stated in. */
  static final long MAX_ZIP_BYTES = 25_000_000L;

  private static Path zip() {
    return Paths.get(
        System.getProperty("redstage.plugin.zip", "target/redstage-kafka-connect-s3.zip"));
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
    Path jar =
        lib()
            .resolve(
                jarNames().stream().filter(n -> n.startsWith(jarPrefix)).findFirst().orElseThrow());
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

  /** The text of a ZIP entry below the ZIP's base directory, e.g. manifest.json. */
  private static String zipEntry(String name) throws IOException {
    try (ZipFile z = new ZipFile(zip().toFile())) {
      String base = "redstage-kafka-connect-s3-" + System.getProperty("redstage.version") + "/";
      ZipEntry e = z.getEntry(base + name);
      assertThat(e).as("entry %s%s in %s", base, name, zip()).isNotNull();
      return new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void manifestAndConnectorJarCarryTheBuiltVersion() throws IOException {
    String version = System.getProperty("redstage.version");
    assertThat(version).as("system property redstage.version (set by the build)").isNotBlank();
    JsonNode manifest = new ObjectMapper().readTree(zipEntry("manifest.json"));
    assertThat(manifest.path("version").asText()).isEqualTo(version);
    String jar =
        jarNames().stream()
            .filter(n -> n.startsWith("redstage-connector-"))
            .findFirst()
            .orElseThrow();
    try (ZipFile z = new ZipFile(lib().resolve(jar).toFile())) {
      Properties p = new Properties();
      p.load(z.getInputStream(z.getEntry("redstage-connector.properties")));
      assertThat(p.getProperty("version")).as("version in %s", jar).isEqualTo(version);
    }
  }

  @Test
  void manifestIsCompleteForConfluentHub() throws IOException {
    JsonNode m = new ObjectMapper().readTree(zipEntry("manifest.json"));
    for (String field :
        List.of(
            "name",
            "title",
            "description",
            "owner.username",
            "owner.name",
            "support.summary",
            "release_date",
            "logo")) {
      assertThat(at(m, field)).as("manifest.json %s", field).isNotBlank();
    }
    for (String field : List.of("documentation_url", "source_url", "owner.url", "support.url")) {
      assertThat(at(m, field))
          .as("manifest.json %s (absolute URL)", field)
          .startsWith("https://")
          .doesNotContain("${");
    }
    assertThat(at(m, "release_date")).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(m.path("license").get(0).path("name").asText()).isEqualTo("Apache License 2.0");
    assertThat(m.path("license").get(0).path("url").asText()).startsWith("https://");
    assertThat(m.path("component_types").toString()).contains("sink");
    zipEntry(at(m, "logo"));
    zipEntry(at(m, "owner.logo"));
  }

  private static String at(JsonNode node, String dottedPath) {
    JsonNode n = node;
    for (String part : dottedPath.split("\\.")) {
      n = n.path(part);
    }
    return n.asText();
  }

  @Test
  void licenseAndNoticeNameEverythingTheZipBundles() throws IOException {
    assertThat(zipEntry("doc/LICENSE"))
        .contains("Apache License")
        .contains("Version 2.0, January 2004")
        .contains("END OF TERMS AND CONDITIONS");
    String notice = zipEntry("doc/NOTICE");
    for (String jar : jarNames()) {
      List<String> artifacts =
          entries(jar, "META-INF/maven/").stream()
              .filter(e -> e.endsWith("/pom.properties"))
              .map(
                  e ->
                      e.substring(
                              "META-INF/maven/".length(), e.length() - "/pom.properties".length())
                          .replace('/', ':'))
              .filter(a -> !a.equals("io.redstage:redstage-connector"))
              .toList();
      if (jar.startsWith("redstage-connector-")) {
        // shaded: every artifact whose content is inside it
        assertThat(artifacts)
            .isNotEmpty()
            .allSatisfy(a -> assertThat(mentions(notice, a)).as("NOTICE names " + a).isTrue());
      } else {
        String base = jar.replaceFirst("-\\d.*\\.jar$", "");
        assertThat(mentions(notice, base))
            .as("NOTICE names the jar " + jar + " (as " + base + ")")
            .isTrue();
      }
    }
    Matcher refs = Pattern.compile("doc/licenses/[\\w.-]+\\.txt").matcher(notice);
    int count = 0;
    while (refs.find()) {
      zipEntry(refs.group());
      count++;
    }
    assertThat(count).as("license texts referenced by NOTICE").isGreaterThanOrEqualTo(5);
  }

  /**
   * True when {@code name} occurs in {@code text} as a whole word (not inside a longer jar or
   * artifact name).
   */
  private static boolean mentions(String text, String name) {
    return Pattern.compile("(?<![\\w.:-])" + Pattern.quote(name) + "(?![\\w:-]|\\.\\w)")
        .matcher(text)
        .find();
  }

  @Test
  void zipIsAtMost25Megabytes() throws IOException {
    long size = Files.size(zip());
    assertThat(size)
        .as(
            "size of %s in bytes (target: at most %d); see the packaging notes in connector/pom.xml",
            zip(), MAX_ZIP_BYTES)
        .isLessThanOrEqualTo(MAX_ZIP_BYTES);
  }

  @Test
  void parquetAndHadoopShipInsideTheConnectorJarOnly() throws IOException {
    assertThat(jarNames())
        .anyMatch(n -> n.startsWith("redstage-connector-"))
        .anyMatch(n -> n.startsWith("parquet-loaded-by-name-"))
        .noneMatch(n -> n.startsWith("parquet-") && !n.startsWith("parquet-loaded-by-name-"))
        .noneMatch(
            n ->
                n.startsWith("hadoop-")
                    || n.startsWith("woodstox-")
                    || n.startsWith("jts-")
                    || n.startsWith("commons-collections4-"));
    assertThat(
            entries(
                "parquet-loaded-by-name-", "org/apache/parquet/hadoop/codec/ZstandardCodec.class"))
        .hasSize(1);
    assertThat(
            entries(
                "parquet-loaded-by-name-",
                "org/apache/parquet/column/values/bitpacking/LemireBitPackingBE.class"))
        .hasSize(1);
    assertThat(entries("redstage-connector-", "org/apache/hadoop/io/compress/GzipCodec.class"))
        .hasSize(1);
    assertThat(entries("redstage-connector-", "core-default.xml")).hasSize(1);
    assertThat(entries("redstage-connector-", "shaded/parquet/com/fasterxml/")).isEmpty();
  }

  @Test
  void minimizationKeepsTheExactJsonConverterAndItsServiceEntry() throws IOException {
    assertThat(
            entries(
                "redstage-connector-", "io/redstage/connector/convert/ExactJsonConverter.class"))
        .hasSize(1);
    assertThat(
            entries(
                "redstage-connector-",
                "META-INF/services/org.apache.kafka.connect.storage.Converter"))
        .hasSize(1);
  }

  @Test
  void nativeCodecsCoverTheSupportedPlatformsOnly() throws IOException {
    assertThat(
            entries("zstd-jni-", "").stream()
                .filter(n -> n.contains("libzstd-jni"))
                .map(n -> n.substring(0, n.lastIndexOf('/'))))
        .containsExactlyInAnyOrder(
            "linux/amd64", "linux/aarch64", "darwin/x86_64", "darwin/aarch64", "win/amd64");
    assertThat(
            entries("snappy-java-", "org/xerial/snappy/native/").stream()
                .filter(n -> n.contains("snappyjava"))
                .map(n -> n.substring("org/xerial/snappy/native/".length(), n.lastIndexOf('/'))))
        .containsExactlyInAnyOrder(
            "Linux/x86_64",
            "Linux/x86_64-musl",
            "Linux/aarch64",
            "Mac/x86_64",
            "Mac/aarch64",
            "Windows/x86_64");
  }
}
