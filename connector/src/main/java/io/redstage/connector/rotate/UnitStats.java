package io.redstage.connector.rotate;

/** What rotation needs to know about an open commit unit. */
public interface UnitStats {
  long records();

  long largestFileBytes();

  /** Record time (timestamp.extractor) of the unit's first record, or null when unknown. */
  Long firstRecordTimeMs();

  long openedAtMs();

  /**
   * When the unit's last row was written, or when it opened: records sent to the dead letter queue
   * or ignored do not count, so a stream of only such records still lets the idle rule close the
   * unit and commit their offsets.
   */
  long lastRowAtMs();
}
