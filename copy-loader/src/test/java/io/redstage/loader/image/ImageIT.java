package io.redstage.loader.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.loader.it.LoaderStack;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tarball that {@code mvn package} builds with Jib: its manifest and config, the files
 * its layers hold, and, where this machine can (root, util-linux {@code unshare}; no container
 * runtime needed), the loader started from the image's own root filesystem.
 */
class ImageIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String VERSION = System.getProperty("redstage.version");

  static Path tar;
  static JsonNode config;

  /** Layer file name to the entries it holds (path to mode). */
  static Map<String, Map<String, Integer>> layers = new HashMap<>();

  static List<String> layerOrder = new ArrayList<>();

  @BeforeAll
  static void read() throws IOException {
    assumeThat(Boolean.getBoolean("redstage.image.skip")).as("built with -Dimage.skip").isFalse();
    tar = Path.of(System.getProperty("redstage.image.tar"));
    assertThat(tar).as("the image tarball 'mvn package' builds").exists();
    Map<String, byte[]> top = new HashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        top.put(e.getName(), in.readAllBytes());
      }
    }
    JsonNode manifest = JSON.readTree(top.get("manifest.json"));
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).get("RepoTags").get(0).asText())
        .isEqualTo(System.getProperty("redstage.image.name"))
        .endsWith(":" + VERSION);
    config = JSON.readTree(top.get(manifest.get(0).get("Config").asText()));
    for (JsonNode layer : manifest.get(0).get("Layers")) {
      byte[] bytes = top.get(layer.asText());
      assertThat(bytes).as("layer " + layer + " is in the tarball").isNotNull();
      layerOrder.add(layer.asText());
      layers.put(layer.asText(), entries(bytes));
    }
    assertThat(config.get("rootfs").get("diff_ids")).hasSameSizeAs(manifest.get(0).get("Layers"));
  }

  private static Map<String, Integer> entries(byte[] gzippedTar) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(
            new GzipCompressorInputStream(new ByteArrayInputStream(gzippedTar)))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put("/" + e.getName(), e.getMode() & 07777);
      }
    }
    return out;
  }

  private static Map<String, Integer> allEntries() {
    Map<String, Integer> all = new HashMap<>();
    layerOrder.forEach(l -> all.putAll(layers.get(l)));
    return all;
  }

  @Test
  void configStartsTheLoaderAsNonRootWithTheMetricsPort() {
    JsonNode c = config.get("config");
    List<String> entrypoint = new ArrayList<>();
    c.get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
    assertThat(entrypoint)
        .startsWith("java")
        .contains("-cp", "@/app/jib-classpath-file")
        .endsWith("io.redstage.loader.cli.LoaderCli");
    assertThat(c.get("Cmd").toString())
        .isEqualTo("[\"--config\",\"/etc/redstage/loader.yaml\",\"run\"]");
    assertThat(c.get("Env").toString()).contains("PATH=/opt/java/bin", "JAVA_HOME=/opt/java");
    assertThat(c.get("User").asText()).isEqualTo("65532:65532");
    assertThat(c.get("ExposedPorts").has("9464/tcp")).isTrue();
    assertThat(c.get("Labels").get("org.opencontainers.image.version").asText()).isEqualTo(VERSION);
    assertThat(config.get("os").asText()).isEqualTo("linux");
  }

  @Test
  void layersHoldTheLoaderJarItsDependenciesAndAnExecutableRuntime() {
    Map<String, Integer> all = allEntries();
    assertThat(all)
        .containsKey("/app/classpath/redstage-copy-loader-" + VERSION + ".jar")
        .containsKey("/app/libs/redstage-contract-" + VERSION + ".jar")
        .containsKey("/app/jib-classpath-file")
        .containsKey("/opt/java/lib/modules")
        .containsKey("/opt/java/lib/security/cacerts")
        .containsKey("/etc/passwd");
    assertThat(all.keySet()).anyMatch(p -> p.matches("/app/libs/s3-[0-9.]+\\.jar"));
    assertThat(all.keySet()).anyMatch(p -> p.matches("/app/libs/redshiftdata-[0-9.]+\\.jar"));
    assertThat(all.keySet()).anyMatch(p -> p.matches("/lib64/ld-linux.*\\.so\\.2"));
    assertThat(all.keySet()).anyMatch(p -> p.matches("/lib/.*/libc\\.so\\.6"));
    assertThat(all.get("/opt/java/bin/java")).as("mode of java").isEqualTo(0755);
    // the loader's own jar sits in a layer of its own: a new version replaces only that layer
    String jarLayer =
        layerOrder.stream()
            .filter(
                l ->
                    layers
                        .get(l)
                        .containsKey("/app/classpath/redstage-copy-loader-" + VERSION + ".jar"))
            .findFirst()
            .orElseThrow();
    assertThat(layers.get(jarLayer).keySet())
        .allMatch(p -> p.equals("/app/") || p.startsWith("/app/classpath"));
  }

  /** The image's root filesystem, unpacked once for the tests that start it. */
  static Path rootfs;

  @TempDir static Path imageDir;

  static synchronized Path rootfs() throws IOException {
    assumeThat(System.getProperty("user.name")).as("unshare needs root").isEqualTo("root");
    assumeThat(Files.isExecutable(Path.of("/usr/bin/unshare"))).as("util-linux unshare").isTrue();
    if (rootfs == null) {
      Path root = imageDir.resolve("rootfs");
      for (String layer : layerOrder) {
        extractLayer(layer, root);
      }
      Files.createDirectories(root.resolve("proc"));
      rootfs = root;
    }
    return rootfs;
  }

  /**
   * Runs the image's entrypoint with {@code args} in its own root filesystem (a mount and PID
   * namespace, chrooted, as uid 65532; the host's network): what a container runtime does, less the
   * cgroups and the network namespace. Skipped where that is not allowed.
   */
  static String runImage(List<String> args, int expectedExit) throws Exception {
    Path root = rootfs();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/unshare",
                "--mount",
                "--pid",
                "--fork",
                "--root=" + root,
                "--mount-proc",
                "--setuid",
                "65532",
                "--setgid",
                "65532",
                "--wd",
                config.get("config").get("WorkingDir").asText()));
    List<String> entrypoint = new ArrayList<>();
    config.get("config").get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
    // PATH comes from the image's Env; resolve java as the runtime would
    entrypoint.set(0, "/opt/java/bin/" + entrypoint.get(0));
    cmd.addAll(entrypoint);
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the loader exits").isTrue();
    assumeThat(out)
        .as("namespaces allowed here")
        .doesNotContain("unshare failed", "Operation not permitted");
    assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
    return out;
  }

  @Test
  void theImageStartsTheLoader() throws Exception {
    assertThat(runImage(List.of("--version"), 0).trim())
        .matches(
            "redstage copy-loader "
                + java.util.regex.Pattern.quote(VERSION)
                + "(\\+[0-9a-f]{7,}(\\.dirty)?)?");
  }

  /**
   * The jlinked runtime has every module the loader needs at work: 'check' from inside the image
   * uses the AWS SDK (S3 and Data API over HTTP), Jackson and picocli against the sandbox.
   */
  @Test
  void theImageRunsCheckAgainstTheSandbox() throws Exception {
    rootfs();
    try (LoaderStack stack = LoaderStack.start();
        Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE loader");
      s.execute("GRANT USAGE, CREATE ON SCHEMA public TO loader");
      List<String> args = new ArrayList<>();
      stack.config().forEach((k, v) -> args.add("-D" + k + "=" + v));
      args.add("check");
      assertThat(runImage(args, 0))
          .contains("OK    data api", "OK    copy role", "OK    write manifests.dir")
          .contains("0 failed");
    }
  }

  private static void extractLayer(String layer, Path root) throws IOException {
    try (InputStream raw = Files.newInputStream(tar);
        TarArchiveInputStream outer = new TarArchiveInputStream(raw)) {
      for (TarArchiveEntry e = outer.getNextEntry(); e != null; e = outer.getNextEntry()) {
        if (!e.getName().equals(layer)) {
          continue;
        }
        try (TarArchiveInputStream in =
            new TarArchiveInputStream(new GzipCompressorInputStream(outer))) {
          for (TarArchiveEntry f = in.getNextEntry(); f != null; f = in.getNextEntry()) {
            Path target = root.resolve(f.getName()).normalize();
            assertThat(target.startsWith(root))
                .as("%s stays inside the root", f.getName())
                .isTrue();
            if (f.isDirectory()) {
              Files.createDirectories(target);
            } else {
              Files.createDirectories(target.getParent());
              Files.copy(in, target);
            }
            Files.setPosixFilePermissions(target, permissions(f.getMode()));
          }
        }
        return;
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        out.add(bits[i]);
      }
    }
    return out;
  }
}
