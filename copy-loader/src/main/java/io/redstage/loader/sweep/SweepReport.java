package io.redstage.loader.sweep;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * What one sweep run did (or, in a dry run, would do).
 *
 * @param orphans the orphan files removed (or to remove), in key order
 * @param examined data-file keys examined
 * @param keptYoung files younger than sweep.grace
 * @param keptNotLoaded files whose offsets the load-marker table does not fully cover
 * @param keptReferenced files whose unit is in markers.dir, markers.loaded.dir or the load-marker
 *     table
 * @param keptUnmovable orphans kept because their key under sweep.moved-dir would be longer than S3
 *     accepts
 * @param unrecognised objects under topics.dir not named like a connector data file (never removed)
 * @param unrecognisedExample the first of them, or null
 * @param requests S3 requests counted against sweep.max-requests
 * @param complete true when the listing reached the end (the next run starts from the beginning)
 * @param cursor the last key examined when not complete (the next run continues after it)
 */
public record SweepReport(
    boolean dryRun,
    List<Orphan> orphans,
    int examined,
    int keptYoung,
    int keptNotLoaded,
    int keptReferenced,
    int keptUnmovable,
    int unrecognised,
    String unrecognisedExample,
    int requests,
    boolean complete,
    String cursor) {

  /** One orphan: its key, where it goes (null when deleted), its unit and its age. */
  public record Orphan(String key, String movedTo, String unit, Duration age) {}

  public void print(PrintStream out) {
    String verb = dryRun ? "Would " : "";
    for (Orphan o : orphans) {
      out.println(
          verb
              + (o.movedTo() == null
                  ? (dryRun ? "delete " : "Deleted ") + o.key()
                  : (dryRun ? "move " : "Moved ") + o.key() + " to " + o.movedTo())
              + " ("
              + o.unit()
              + ", age "
              + o.age().toHours()
              + "h: no marker lists it, its offsets are loaded by other units)");
    }
    out.println(
        (dryRun ? "Dry run: " : "")
            + orphans.size()
            + " orphan(s) "
            + (dryRun ? "found" : "removed")
            + "; examined "
            + examined
            + " data file(s), kept "
            + keptYoung
            + " younger than the grace period, "
            + keptNotLoaded
            + " not loaded yet, "
            + keptReferenced
            + " of known units"
            + (keptUnmovable == 0
                ? ""
                : ", "
                    + keptUnmovable
                    + " orphan(s) whose key under sweep.moved-dir would be over S3's limit (see the log)")
            + (unrecognised == 0
                ? ""
                : ", "
                    + unrecognised
                    + " object(s) not named <topic>+<partition>+<start>+<end><extension> (such as "
                    + unrecognisedExample
                    + "; a connector file.delim other than '+' writes such names), which the sweep never removes")
            + "; "
            + requests
            + " S3 request(s). "
            + (complete
                ? "Reached the end of the listing."
                : "Stopped at sweep.max-requests after "
                    + cursor
                    + "; the next run continues there."));
  }
}
