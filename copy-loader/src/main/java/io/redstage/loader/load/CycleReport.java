package io.redstage.loader.load;

/** What one cycle did and what it cost. */
public record CycleReport(
    int unitsListed,
    int unitsPending,
    int batchesLoaded,
    int unitsLoaded,
    long rowsLoaded,
    long rowsRejected,
    int batchesFailed,
    int batchesQuarantined,
    int unknownOutcomes,
    int markersRetired,
    long s3Calls,
    long dataApiCalls) {

  @Override
  public String toString() {
    return "listed "
        + unitsListed
        + " unit(s), pending "
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
        + ", markers retired "
        + markersRetired
        + "; AWS calls: S3 "
        + s3Calls
        + ", Data API "
        + dataApiCalls;
  }
}
