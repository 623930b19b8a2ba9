package io.redstage.connector.rotate;

/** What rotation needs to know about an open commit unit. */
public interface UnitStats {
  long records();

  long largestFileBytes();

  /** Record time (timestamp.extractor) of the unit's first record, or null when unknown. */
  Long firstRecordTimeMs();

  long openedAtMs();

  long lastRecordAtMs();
}
