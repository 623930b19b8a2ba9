package io.redstage.connector.format;

import com.github.luben.zstd.Zstd;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.xerial.snappy.Snappy;

/**
 * Whether the native libraries behind the snappy and zstd codecs load on this machine. The plugin
 * ships them for Linux x86_64/aarch64, macOS x86_64/aarch64 and Windows x86_64 only (see README);
 * elsewhere the codec would fail at the first file with an UnsatisfiedLinkError, so config
 * validation asks here first and names the key instead.
 */
public final class NativeCodecs {
  /** The platforms whose native libraries the plugin ships, for error messages. */
  public static final String SHIPPED_PLATFORMS =
      "Linux x86_64/aarch64, macOS x86_64/aarch64 and Windows x86_64";

  /** Loads a codec's native library, throwing whatever its loader throws when it cannot. */
  interface Probe {
    void load() throws Throwable;
  }

  private static final ConcurrentMap<String, Optional<String>> RESULTS = new ConcurrentHashMap<>();

  private NativeCodecs() {}

  /**
   * Why {@code codec} ("snappy", "zstd", or any other, which needs no native library) cannot run
   * here, or empty when it can. Probed once per codec and JVM.
   */
  public static Optional<String> unavailable(String codec) {
    String name = codec.toLowerCase(Locale.ROOT);
    switch (name) {
      case "snappy":
        return RESULTS.computeIfAbsent(name, n -> probe(n, () -> Snappy.maxCompressedLength(1)));
      case "zstd":
        return RESULTS.computeIfAbsent(name, n -> probe(n, () -> Zstd.compressBound(1)));
      default:
        return Optional.empty();
    }
  }

  static Optional<String> probe(String codec, Probe probe) {
    try {
      probe.load();
      return Optional.empty();
    } catch (Throwable t) {
      // UnsatisfiedLinkError, SnappyError, ExceptionInInitializerError or NoClassDefFoundError
      // after one of them
      Throwable cause =
          t.getCause() != null && t instanceof ExceptionInInitializerError ? t.getCause() : t;
      return Optional.of(
          "the "
              + codec
              + " native library does not load on "
              + System.getProperty("os.name")
              + " "
              + System.getProperty("os.arch")
              + " ("
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage()
              + "); the plugin ships it for "
              + SHIPPED_PLATFORMS);
    }
  }
}
