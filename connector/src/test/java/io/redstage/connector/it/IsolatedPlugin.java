package io.redstage.connector.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The unpacked plugin ZIP behind a class loader that sees exactly its {@code lib/*.jar} plus what a
 * Connect worker gives every plugin, and nothing else of the test classpath. Connect's own plugin
 * loader falls back to the worker's classpath for any class the plugin lacks; here that fallback is
 * the filter below, so a class left out of the ZIP fails with NoClassDefFoundError instead of being
 * borrowed from the test's parquet/hadoop.
 */
final class IsolatedPlugin implements AutoCloseable {
  final Path lib;
  final URLClassLoader loader;

  private IsolatedPlugin(Path lib, URLClassLoader loader) {
    this.lib = lib;
    this.loader = loader;
  }

  /**
   * The plugin unpacked under {@code pluginDir} (one {@code redstage-kafka-connect-s3-<v>/lib}
   * directory).
   */
  static IsolatedPlugin open(Path pluginDir, ClassLoader worker) throws IOException {
    List<Path> libs = new ArrayList<>();
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(pluginDir, "redstage-kafka-connect-s3-*")) {
      for (Path d : dirs) {
        if (Files.isDirectory(d.resolve("lib"))) {
          libs.add(d.resolve("lib"));
        }
      }
    }
    if (libs.size() != 1) {
      throw new IllegalStateException(
          "Cannot find the unpacked plugin: expected one redstage-kafka-connect-s3-*/lib under "
              + pluginDir
              + ", found "
              + libs
              + ". Run the connector build through pre-integration-test (mvn verify).");
    }
    Path lib = libs.get(0);
    List<URL> jars = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(lib, "*.jar")) {
      for (Path jar : files) {
        jars.add(url(jar));
      }
    }
    Collections.sort(jars, (a, b) -> a.toString().compareTo(b.toString()));
    return new IsolatedPlugin(
        lib,
        new URLClassLoader(
            "redstage-plugin", jars.toArray(new URL[0]), new WorkerProvided(worker)));
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    loader.close();
  }

  /**
   * The parent of the plugin's loader: what a worker shares with its plugins, and
   * ClassNotFoundException (or no resource) for everything else, so neither classes nor
   * ServiceLoader files nor core-default.xml can come from the test classpath.
   */
  static final class WorkerProvided extends ClassLoader {
    /**
     * Packages a worker shares with every plugin (Connect's PluginUtils never isolates them),
     * loaded from the test classpath, which has the same jars as a worker: org.apache.kafka:
     * connect-api and kafka-clients (SinkTask, SinkRecord, TopicPartition, ConfigDef); org.slf4j:
     * the worker's logging API, which Connect always takes from the worker even when a plugin ships
     * one. Nothing else: a worker's classpath also has Jackson, Jetty, Jersey and javax.ws.rs, but
     * which versions (or whether at all) depends on the Kafka version and the host (MSK Connect
     * runs 2.7.1), so the plugin must not rely on them.
     */
    private static final String[] SHARED_PACKAGES = {"org.apache.kafka.", "org.slf4j."};

    private static final String[] SHARED_RESOURCES = {"org/apache/kafka/", "org/slf4j/"};
    private final ClassLoader worker;

    /**
     * The JDK itself (bootstrap and platform modules: java., javax.xml/javax.crypto/..., jdk.,
     * sun., com.sun., org.w3c.dom, org.xml.sax, org.ietf.jgss). Asking the platform loader rather
     * than matching "javax." leaves out the javax.* packages that are not in the JDK
     * (javax.annotation, javax.servlet): those must come from the plugin.
     */
    private final ClassLoader jdk = ClassLoader.getPlatformClassLoader();

    WorkerProvided(ClassLoader worker) {
      super("worker-provided", null);
      this.worker = worker;
    }

    static boolean shared(String className) {
      for (String p : SHARED_PACKAGES) {
        if (className.startsWith(p)) {
          return true;
        }
      }
      return false;
    }

    private static boolean sharedResource(String name) {
      for (String p : SHARED_RESOURCES) {
        if (name.startsWith(p)) {
          return true;
        }
      }
      return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (shared(name)) {
        return worker.loadClass(name);
      }
      try {
        return jdk.loadClass(name);
      } catch (ClassNotFoundException notInJdk) {
        throw new ClassNotFoundException(
            name
                + " is neither in the JDK nor shared by a Connect worker: the plugin "
                + "ZIP must ship it");
      }
    }

    @Override
    public URL getResource(String name) {
      return sharedResource(name) ? worker.getResource(name) : jdk.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return sharedResource(name) ? worker.getResources(name) : jdk.getResources(name);
    }
  }
}
