package io.redstage.loader.load;

/**
 * What one cycle did and what it cost. {@code unitsLeftOut}: listed units (loaded or not) of tables
 * the cycle did not read or load, because another loader holds them or a load statement of this
 * loader that outlived redshift.statement-timeout still runs there; they are not counted as
 * pending. {@code tablesStopped}: tables whose loads stopped for a reason that is not one batch's
 * (logged at ERROR with the table). {@code unreadableMarkers}: listed markers that cannot be read
 * or used, whose units wait until they are fixed or removed ('status' names them). {@code
 * unitsInQuarantine}: listed units of the tables read that an earlier cycle quarantined and nothing
 * released since (this cycle's count in {@code batchesQuarantined}): they wait for 'release' or
 * 'skip', and in upsert mode may hold their partitions back. {@code batchesLeftForNextCycle}:
 * planned batches of tables whose turn of the cycle ended (load.table-turn, 'run' only): the next
 * cycle starts at once.
 */
public record CycleReport(
    int unitsListed,
    int unitsLeftOut,
    int unitsPending,
    int batchesLoaded,
    int unitsLoaded,
    long rowsLoaded,
    long rowsRejected,
    int batchesFailed,
    int batchesQuarantined,
    int unknownOutcomes,
    int tablesStopped,
    int unreadableMarkers,
    int unitsInQuarantine,
    int markersRetired,
    long s3Calls,
    long dataApiCalls,
    int batchesLeftForNextCycle) {

  @Override
  public String toString() {
    return "listed "
        + unitsListed
        + " unit(s)"
        + (unitsLeftOut > 0
            ? " (" + unitsLeftOut + " of them in tables other loads hold, not read this cycle)"
            : "")
        + ", pending "
        + unitsPending
        + ", loaded "
        + unitsLoaded
        + " unit(s) in "
        + batchesLoaded
        + " batch(es) ("
        + rowsLoaded
        + " rows"
        + (rowsRejected > 0 ? ", " + rowsRejected + " rejected: see rejects.dir" : "")
        + "), failed "
        + batchesFailed
        + ", quarantined "
        + batchesQuarantined
        + ", unknown "
        + unknownOutcomes
        + (tablesStopped > 0 ? ", tables stopped " + tablesStopped + " (see the ERROR lines)" : "")
        + (unreadableMarkers > 0
            ? ", unreadable markers " + unreadableMarkers + " (their units wait: see status)"
            : "")
        + (unitsInQuarantine > 0
            ? ", in quarantine " + unitsInQuarantine + " unit(s) (release or skip them: see status)"
            : "")
        + (batchesLeftForNextCycle > 0
            ? ", left for the next cycle "
                + batchesLeftForNextCycle
                + " batch(es) (load.table-turn)"
            : "")
        + ", markers retired "
        + markersRetired
        + "; AWS calls: S3 "
        + s3Calls
        + ", Data API "
        + dataApiCalls;
  }
}
