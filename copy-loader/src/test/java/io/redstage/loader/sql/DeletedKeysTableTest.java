package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeletedKeysTableTest {
  private final DeletedKeysTable tombstones =
      new ControlTables(
              TableRef.of("ops", "markers"),
              TableRef.of("ops", "quarantine"),
              TableRef.of("ops", "failures"))
          .deletedKeys(TableRef.of("public", "customers"));

  /**
   * The cutoff is a UTC instant: a TIMESTAMPTZ column is compared with one that says so, since a
   * plain literal would be read in the session's time zone, which a database user can have of its
   * own.
   */
  @Test
  void pruningComparesTheTimestampColumnWithAUtcCutoffOfItsType() {
    Instant cutoff = Instant.parse("2026-12-06T10:15:30.250Z");
    String table = tombstones.table().sql();
    assertThat(
            tombstones.pruneBefore(
                "kafka_timestamp", RedshiftType.of(RedshiftType.Family.TIMESTAMP), cutoff))
        .isEqualTo(
            "DELETE FROM "
                + table
                + " WHERE \"kafka_timestamp\" < CAST('2026-12-06 10:15:30.250' AS TIMESTAMP)");
    assertThat(
            tombstones.pruneBefore(
                "kafka_timestamp", RedshiftType.of(RedshiftType.Family.TIMESTAMPTZ), cutoff))
        .isEqualTo(
            "DELETE FROM "
                + table
                + " WHERE \"kafka_timestamp\" < CAST('2026-12-06 10:15:30.250+00' AS TIMESTAMPTZ)");
  }
}
