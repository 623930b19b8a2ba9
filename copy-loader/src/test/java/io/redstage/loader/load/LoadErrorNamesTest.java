package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The load-error views keep 256 characters of a file name: rows get their full URL back. */
class LoadErrorNamesTest {
  @Test
  void aFileNameTheViewCutGetsItsFullUrlBack() {
    String longUrl =
        "s3://staging/topics/"
            + "t".repeat(120)
            + "/partition=0/"
            + "t".repeat(120)
            + "+0+00000000000000000000+00000000000000000009.jsonl";
    String shortUrl =
        "s3://staging/topics/orders/partition=0/orders+0+00000000000000000000+00000000000000000009.jsonl";
    assertThat(longUrl.length()).isGreaterThan(LoadErrorReader.FILE_NAME_CHARS);
    assertThat(LoadErrorReader.stored(longUrl)).hasSize(LoadErrorReader.FILE_NAME_CHARS);
    assertThat(LoadErrorReader.stored(shortUrl)).isEqualTo(shortUrl);

    List<LoadErrorReader.LoadError> rows =
        List.of(
            new LoadErrorReader.LoadError(
                LoadErrorReader.stored(longUrl), 3, "n", "1207", "Invalid digit", "{}"),
            new LoadErrorReader.LoadError(shortUrl, 5, "n", "1207", "Invalid digit", null));
    assertThat(LoadErrorReader.withFullNames(rows, List.of(shortUrl, longUrl)))
        .extracting(LoadErrorReader.LoadError::file)
        .containsExactly(longUrl, shortUrl);
  }
}
