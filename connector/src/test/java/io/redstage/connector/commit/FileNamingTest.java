package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.MarkerKeys;
import org.junit.jupiter.api.Test;

class FileNamingTest {
  private final FileNaming naming = new FileNaming("topics/", "_redstage/tmp", "/", "+", 10);

  @Test
  void committedKeysCarryZeroPaddedUnitBoundsAndSortByOffset() {
    String a = naming.committedKey("ads", 3, "partition=3", 90, 199, ".snappy.parquet");
    String b = naming.committedKey("ads", 3, "partition=3", 200, 1234, ".snappy.parquet");
    assertThat(a).isEqualTo("topics/ads/partition=3/ads+3+0000000090+0000000199.snappy.parquet");
    assertThat(a.compareTo(b)).isNegative();
  }

  @Test
  void otherBoundariesGiveOtherKeysAndTheSameBoundariesTheSameKey() {
    assertThat(naming.committedKey("t", 0, "p", 0, 99, ".avro"))
        .isEqualTo(naming.committedKey("t", 0, "p", 0, 99, ".avro"))
        .isNotEqualTo(naming.committedKey("t", 0, "p", 0, 149, ".avro"));
  }

  @Test
  void fileIdentityIsStableAndTemporaryKeysAreFreshPerAttempt() {
    assertThat(naming.fileIdentity("t", 1, "dt=2024-01-01", 42))
        .isEqualTo("topics/t/dt=2024-01-01/t+1+0000000042");
    String tmp1 = naming.temporaryKey("t", 1, 42, ".avro");
    assertThat(tmp1).startsWith("_redstage/tmp/t/1/0000000042-").endsWith(".avro");
    assertThat(naming.temporaryKey("t", 1, 42, ".avro")).isNotEqualTo(tmp1);
  }

  /**
   * Each connector has a temporary prefix of its own under tmp.dir: a starting task aborts stale
   * uploads only there, so another connector's, whose units close by other rules, are left alone.
   */
  @Test
  void eachConnectorHasATemporaryPrefixOfItsOwn() {
    assertThat(FileNaming.connectorTmpDir("_redstage/tmp/", "ads-to-s3"))
        .isEqualTo("_redstage/tmp/ads-to-s3/");
    assertThat(FileNaming.connectorTmpDir("_redstage/tmp", "a/b c"))
        .as("a name cannot reach into another's prefix")
        .isEqualTo("_redstage/tmp/a%2Fb+c/");
    assertThat(FileNaming.connectorTmpDir("tmp", "a/b"))
        .doesNotStartWith(FileNaming.connectorTmpDir("tmp", "a"));
    assertThat(FileNaming.connectorTmpDir("tmp", "x".repeat(300)))
        .matches("tmp/sha256-[0-9a-f]{16}/")
        .isNotEqualTo(FileNaming.connectorTmpDir("tmp", "x".repeat(301)));
    assertThat(FileNaming.connectorTmpDir("tmp", null)).isEqualTo("tmp/");
    FileNaming scoped =
        new FileNaming("topics", FileNaming.connectorTmpDir("tmp", "ads"), "/", "+", 10);
    assertThat(scoped.tmpPrefix()).isEqualTo("tmp/ads/");
    assertThat(scoped.temporaryKey("t", 1, 42, ".avro")).startsWith("tmp/ads/t/1/0000000042-");
  }

  /**
   * The longest key counts both offsets at 19 digits and the path in UTF-8 bytes: 'é' is two, '€'
   * three.
   */
  @Test
  void longestKeyBytesCountsTheWidestOffsetsInUtf8() {
    // "topics/t/" + path + "/t+0+" + 19 digits + "+" + 19 digits + ".avro": 9 + 1 + 4 + 39 + 5
    int fixed = 58;
    String ascii = "a".repeat(MarkerKeys.MAX_KEY_BYTES - fixed);
    assertThat(naming.longestKeyBytes("t", 0, ascii, ".avro")).isEqualTo(MarkerKeys.MAX_KEY_BYTES);
    assertThat(naming.longestKeyBytes("t", 0, ascii + "a", ".avro"))
        .isEqualTo(MarkerKeys.MAX_KEY_BYTES + 1);
    assertThat(naming.longestKeyBytes("t", 0, "é".repeat(300) + "€".repeat(150), ".avro"))
        .isEqualTo(fixed + 600 + 450);
  }

  @Test
  void customDelimitersAndPadding() {
    FileNaming custom = new FileNaming("data", "tmp", "-", "_", 4);
    assertThat(custom.committedKey("t", 0, "a=1-b=2", 7, 12345, ".jsonl"))
        .isEqualTo("data/t-a=1-b=2-t_0_0007_12345.jsonl");
  }
}
