package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.sql.TableRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CopyRowCountsTest {
  static {
    // slf4j-simple reads a logger's level when the logger is made, and tests log at WARN: this
    // class's logger is made after this, by the first CopyRowCounts
    System.setProperty("org.slf4j.simpleLogger.log." + CopyRowCounts.class.getName(), "info");
  }

  static final TableRef ORDERS = TableRef.of("public", "orders");

  /**
   * Several loaders in one process (tests, an application running two) each say once that the Data
   * API gives no COPY row counts: a flag of the process said it only for the first.
   */
  @Test
  void eachLoaderSaysOnceThatItsCopyRowCountsAreUnknown() {
    Batch batch =
        new BatchPlanner(1L << 40, 1000, 8, 2000, UUID::randomUUID)
            .build(ORDERS, List.of(TestUnits.simple("orders", 0, 0, 9)));
    List<BatchResult.CopyCount> uncounted =
        List.of(new BatchResult.CopyCount(batch.groups().get(0), -1, -1));
    CopyRowCounts first = new CopyRowCounts(new LoaderMetrics());
    CopyRowCounts second = new CopyRowCounts(new LoaderMetrics());

    // slf4j-simple writes to System.err as it is when a line is logged
    PrintStream before = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      for (CopyRowCounts loader : List.of(first, second)) {
        loader.check(ORDERS, batch, uncounted);
        loader.check(ORDERS, batch, uncounted);
      }
    } finally {
      System.setErr(before);
    }

    assertThat(
            Pattern.compile("reported no row count for its COPY")
                .matcher(log.toString(StandardCharsets.UTF_8))
                .results()
                .count())
        .isEqualTo(2);
  }
}
