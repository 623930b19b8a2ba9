package io.redstage.connector.rotate;

/** What rotation needs to know about an open commit unit. */
public interface UnitStats {
  /** Rows written. */
  long records();

  /**
   * Records of the unit that have no row: sent to the dead letter queue, or tombstones ignored.
   * They close the unit at flush.size too, so a stream of only such records commits its offsets
   * even with the wall-clock rules off.
   */
  long recordsWithoutRows();

  long largestFileBytes();

  /** Record time (timestamp.extractor) of the unit's first record, or null when unknown. */
  Long firstRecordTimeMs();

  long openedAtMs();

  /**
   * When {@code rotation}'s schedule rule closes the unit: {@link
   * RotationPolicy#nextScheduledRotation} of {@link #openedAtMs()}. It depends on the opening only,
   * so a unit checked on every tick keeps it (see CommitUnit) instead of taking this default, which
   * works it out in the zone's calendar on each call.
   */
  default long scheduledRotationAtMs(RotationPolicy rotation) {
    return rotation.nextScheduledRotation(openedAtMs());
  }

  /**
   * When the unit's last row was written, or when it opened: records sent to the dead letter queue
   * or ignored do not count, so a stream of only such records still lets the idle rule close the
   * unit and commit their offsets.
   */
  long lastRowAtMs();
}
