package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.SqlText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which load-error view is read for which target, and when the other one is: the Data API's
 * RedshiftQueryId is STL_QUERY's id, which SYS views do not share on a provisioned cluster, and
 * Serverless has no STL views. The views answer from canned rows here (pure ordering logic); the
 * ITs read them from the sandbox.
 */
class LoadErrorReaderTest {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String FILE = "s3://staging/topics/t/partition=0/t+0+0+9.jsonl";
  static final String OTHER_TABLES_FILE = "s3://staging/topics/other/partition=0/other+0+0+9.jsonl";

  /** Answers each view's query from its canned rows; a view without an answer fails. */
  private final Map<String, List<List<Object>>> answers = new HashMap<>();

  private final List<String> asked = new ArrayList<>();

  private final LoadErrorReader.Queries views =
      (sql, name) -> {
        asked.add(sql);
        String view = sql.contains("FROM STL_LOAD_ERRORS") ? "STL" : "SYS";
        List<List<Object>> rows = answers.get(view);
        if (rows == null) {
          throw new StatementFailedException(
              "id", "ERROR: relation \"" + view + "\" does not exist", 0, -1);
        }
        return new QueryResult(List.of("file", "line", "col", "code", "reason", "raw"), rows);
      };

  private static List<Object> error(String file, long line) {
    return Arrays.asList(file, line, "n", "1207", "Invalid digit", null);
  }

  private static StatementFailedException copyFailure(long queryId) {
    return new StatementFailedException("id", "Load into table 'x' failed", 1, queryId);
  }

  private List<String> viewsAsked() {
    return asked.stream().map(s -> s.contains("FROM STL_LOAD_ERRORS") ? "STL" : "SYS").toList();
  }

  @Test
  void aProvisionedClusterIsReadInStlFirstByItsQueryId() throws Exception {
    answers.put("STL", List.of(error(FILE, 4)));
    answers.put("SYS", List.of(error(OTHER_TABLES_FILE, 9)));
    LoadErrorReader reader = new LoadErrorReader(views, false, CLOCK);
    assertThat(reader.read(copyFailure(77), List.of(FILE), "b", Instant.EPOCH))
        .extracting(LoadErrorReader.LoadError::file, LoadErrorReader.LoadError::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(FILE, 4L));
    assertThat(viewsAsked()).containsExactly("STL");
    assertThat(asked.get(0)).contains("WHERE query = 77");
  }

  @Test
  void serverlessIsReadInSysFirst() throws Exception {
    answers.put("SYS", List.of(error(FILE, 4)));
    LoadErrorReader reader = new LoadErrorReader(views, true, CLOCK);
    assertThat(reader.rejected(77, List.of(FILE), 10, "b")).hasSize(1);
    assertThat(viewsAsked()).containsExactly("SYS");
    assertThat(asked.get(0)).contains("WHERE query_id = 77");
  }

  /**
   * A view with no row for the query leaves the other one to try; there the same number may name
   * another query, so only rows of the COPY's own files count.
   */
  @Test
  void aViewWithoutRowsFallsThroughAndTheOtherCountsOnlyTheCopysFiles() throws Exception {
    answers.put("STL", List.of());
    answers.put("SYS", List.of(error(OTHER_TABLES_FILE, 2), error(FILE, 4)));
    LoadErrorReader reader = new LoadErrorReader(views, false, CLOCK);
    assertThat(reader.rejected(77, List.of(FILE), 10, "b"))
        .extracting(LoadErrorReader.LoadError::file)
        .containsExactly(FILE);
    assertThat(viewsAsked()).containsExactly("STL", "SYS");

    asked.clear();
    answers.put("SYS", List.of(error(OTHER_TABLES_FILE, 2)));
    assertThat(reader.read(copyFailure(77), List.of(FILE), "b", Instant.EPOCH))
        .as("another query's rows under the same number are not this COPY's")
        .isEmpty();
    assertThat(viewsAsked()).containsExactly("STL", "SYS");
  }

  @Test
  void aViewThatFailsLeavesTheOtherAndNoneWorkingIsAnErrorForRejects() throws Exception {
    answers.put("SYS", List.of(error(FILE, 4)));
    LoadErrorReader provisioned = new LoadErrorReader(views, false, CLOCK);
    assertThat(provisioned.read(copyFailure(77), List.of(FILE), "b", Instant.EPOCH)).hasSize(1);
    assertThat(viewsAsked()).containsExactly("STL", "SYS");

    answers.clear();
    assertThat(provisioned.read(copyFailure(77), List.of(FILE), "b", Instant.EPOCH))
        .as("the quarantine report goes without details")
        .isEmpty();
    assertThatThrownBy(() -> provisioned.rejected(77, List.of(FILE), 10, "b"))
        .isInstanceOf(DataApiException.class)
        .hasMessageContaining("Cannot read the rows query 77 rejected");
  }

  @Test
  void rowsByFileNameStartedAfterTheEarlierOfSinceAndTheClustersNowLessTheTimeSinceThen()
      throws Exception {
    answers.put("STL", List.of(error(FILE, 4)));
    LoadErrorReader reader = new LoadErrorReader(views, false, CLOCK);
    reader.rejectedInFiles(List.of(FILE), NOW.minus(Duration.ofMinutes(10)), 10, "b");
    assertThat(asked.get(0))
        .contains(
            "starttime >= LEAST(CAST('2026-12-06 11:49:00' AS TIMESTAMP),"
                + " DATEADD(second, -660, (CAST(GETDATE() AS TIMESTAMPTZ) AT TIME ZONE 'UTC')))");
    assertThat(reader.startedSince(NOW.plusSeconds(30)))
        .as("a since ahead of this loader's clock counts as now")
        .endsWith("DATEADD(second, -60, " + SqlText.UTC_NOW + "))");
  }

  @Test
  void rowsByFileNameFollowTheTargetsOrderAndFallThroughUnfiltered() throws Exception {
    answers.put("SYS", List.of());
    answers.put("STL", List.of(error(FILE, 4)));
    LoadErrorReader serverless = new LoadErrorReader(views, true, CLOCK);
    assertThat(serverless.rejectedInFiles(List.of(FILE), Instant.EPOCH, 10, "b").rows()).hasSize(1);
    assertThat(viewsAsked()).containsExactly("SYS", "STL");
    assertThat(asked.get(0)).contains("TRIM(file_name) IN ('" + FILE + "')");
  }

  @Test
  void aCopyWithoutAQueryIdIsLookedUpByItsFiles() throws Exception {
    LoadErrorReader reader = new LoadErrorReader(views, false, CLOCK);
    reader.read(copyFailure(-1), List.of(FILE), "b", Instant.EPOCH);
    assertThat(asked).isNotEmpty().allMatch(q -> q.contains("IN ('" + FILE + "')"));
  }
}
