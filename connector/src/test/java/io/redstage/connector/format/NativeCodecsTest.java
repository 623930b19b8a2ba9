package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeCodecsTest {
  @Test
  void snappyAndZstdLoadOnThisMachineAndPureJavaCodecsNeedNothing() {
    assertThat(NativeCodecs.unavailable("snappy")).isEmpty();
    assertThat(NativeCodecs.unavailable("ZSTD")).isEmpty();
    assertThat(NativeCodecs.unavailable("gzip")).isEmpty();
    assertThat(NativeCodecs.unavailable("deflate")).isEmpty();
  }

  @Test
  void aLibraryThatDoesNotLoadIsExplainedWithThePlatformsShipped() {
    assertThat(
            NativeCodecs.probe(
                "zstd",
                () -> {
                  throw new ExceptionInInitializerError(
                      new UnsatisfiedLinkError(
                          "Unsupported OS/arch, cannot find "
                              + "/linux/ppc64le/libzstd-jni-1.5.7-15.so"));
                }))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .startsWith(
                        "the zstd native library does not load on " + System.getProperty("os.name"))
                    .contains(
                        "UnsatisfiedLinkError: Unsupported OS/arch, cannot find /linux/ppc64le/libzstd-jni-1.5.7-15.so")
                    .endsWith("the plugin ships it for " + NativeCodecs.SHIPPED_PLATFORMS));
  }
}
