package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a raw line of the load-error views is matched to a data file's line, and what a file that
 * could not be read leaves open (pure logic; LongFileNamesTest reads the files from S3Proxy).
 */
class SharedFileNamesTest {
  static final String A = "s3://b/" + "t".repeat(260) + "+0+0+9.jsonl";
  static final String B = "s3://b/" + "t".repeat(260) + "+1+0+9.jsonl";

  static LoadErrorReader.LoadError row(String raw) {
    return new LoadErrorReader.LoadError(
        LoadErrorReader.stored(A), 2, "n", "1207", "Invalid digit", raw);
  }

  @Test
  void aRawLineMatchesTheStartOfItsLineWithPeriodsForMultibyteCharacters() {
    assertThat(SharedFileNames.matches("{\"n\":\"x\",\"o\":1}", "{\"n\":\"x\",\"o\":1}")).isTrue();
    // cut at 1 KB: a prefix
    assertThat(SharedFileNames.matches("{\"n\":\"x", "{\"n\":\"x\",\"o\":1}")).isTrue();
    // Redshift writes a period for each multibyte character
    assertThat(SharedFileNames.matches("{\"n\":\"caf.\"}", "{\"n\":\"café\"}")).isTrue();
    assertThat(SharedFileNames.matches("{\"n\":\".\"}", "{\"n\":\"\uD83D\uDE00\"}")).isTrue();
    assertThat(SharedFileNames.matches("{\"n\":\"y", "{\"n\":\"x\",\"o\":1}")).isFalse();
    assertThat(SharedFileNames.matches("{\"n\":\"x\",\"o\":1}", "{\"n\":\"x\"")).isFalse();
  }

  @Test
  void onlyNamesSeveralFilesShareAreShared() {
    String shortUrl = "s3://b/t+0+0+9.jsonl";
    assertThat(SharedFileNames.shared(List.of(A, B, shortUrl, A)))
        .containsExactly(Map.entry(LoadErrorReader.stored(A), List.of(A, B)));
  }

  @Test
  void aFileThatCouldNotBeReadIsNotRuledOut() {
    Map<String, List<String>> shared = SharedFileNames.shared(List.of(A, B));
    String raw = "{\"n\":\"x\",\"o\":1}";
    // B's line 2 is another row: the row is A's
    assertThat(
            SharedFileNames.where(
                List.of(row(raw)),
                shared,
                Map.of(
                    A, Map.of(2L, SharedFileNames.Line.of(raw, 1L)),
                    B, Map.of(2L, SharedFileNames.Line.of("{\"n\":2,\"o\":1}", 1L)))))
        .containsExactly(new SharedFileNames.Where(A, null));
    // A matches but B could not be read: either may hold it
    assertThat(
            SharedFileNames.where(
                List.of(row(raw)), shared, Map.of(A, Map.of(2L, SharedFileNames.Line.of(raw, 1L)))))
        .containsExactly(new SharedFileNames.Where(null, List.of(A, B)));
    // B has no line 2 and A could not be read: A's
    assertThat(SharedFileNames.where(List.of(row(raw)), shared, Map.of(B, Map.of())))
        .containsExactly(new SharedFileNames.Where(A, null));
  }
}
