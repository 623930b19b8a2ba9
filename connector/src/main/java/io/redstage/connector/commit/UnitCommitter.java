package io.redstage.connector.commit;

import io.redstage.connector.Version;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.rotate.RotationReason;
import io.redstage.connector.storage.S3Storage;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a commit unit in the order the contract demands: every file is finished and complete in S3
 * first, then the commit marker is written. Only after the marker exists may the unit's offsets be
 * reported to Connect.
 */
final class UnitCommitter {
  /** Each marker's writer: this connector and its build (Version: the commit as metadata). */
  private static final String WRITER = "redstage-connector " + Version.get();

  private static final Logger LOG = LoggerFactory.getLogger(UnitCommitter.class);

  private final S3Storage storage;
  private final RecordFormat format;
  private final FileNaming naming;
  private final String bucket;
  private final String markersDir;

  /**
   * A file's build takes a slot, its upload and its waits for S3 do not (see {@link BuildSlots}).
   */
  private final BuildSlots builds;

  UnitCommitter(
      S3Storage storage,
      RecordFormat format,
      FileNaming naming,
      String bucket,
      String markersDir,
      BuildSlots builds) {
    this.storage = storage;
    this.format = format;
    this.naming = naming;
    this.bucket = bucket;
    this.markersDir = markersDir;
    this.builds = builds;
  }

  /**
   * Completes the unit's files and writes its marker. On failure every upload not yet complete is
   * aborted and the exception propagates; the caller rewinds to the last committed offset.
   */
  CommitMarker commit(String topic, int partition, CommitUnit unit, RotationReason reason)
      throws IOException {
    List<MarkerFile> files = new ArrayList<>();
    long written = 0;
    try {
      for (UnitFile f : unit.files()) {
        if (f.writer.recordCount() == 0) {
          f.abort(); // every record for it went to the DLQ: an empty file is not worth a COPY
          continue;
        }
        // this commit thread may wait for S3, the task thread may not; never in a build slot
        f.upload.ownerWaitsForParts(builds.waitsWithoutSlot(f.upload.key()));
        builds.build(f.upload.key(), f.writer::finish);
        String key =
            naming.committedKey(
                topic,
                partition,
                f.encodedPartition,
                unit.startOffset,
                unit.endOffset,
                format.extension());
        long size = f.upload.completeAs(key);
        files.add(
            new MarkerFile(
                key,
                size,
                f.writer.recordCount(),
                format.fileFormat(),
                format.compression(),
                f.encodedPartition,
                f.writer.columns()));
        written += f.writer.recordCount();
      }
    } catch (Throwable e) {
      // An Error too (out of memory building a file, a class that fails to load): a multipart
      // upload left open is billed until a lifecycle rule or a later start removes it
      try {
        unit.abort();
      } catch (Throwable second) {
        e.addSuppressed(second);
      }
      throw e;
    }
    CommitMarker marker =
        new CommitMarker(
            CommitMarker.FORMAT_VERSION,
            topic,
            partition,
            unit.startOffset,
            unit.endOffset,
            written,
            bucket,
            System.currentTimeMillis(),
            reason.label(),
            files,
            WRITER);
    String markerKey =
        MarkerKeys.markerKey(markersDir, topic, partition, unit.startOffset, unit.endOffset);
    storage.putSmallObject(markerKey, MarkerCodec.toJson(marker), "application/json");
    LOG.info(
        "Committed unit {} ({} records, {} files, {} bytes, reason {}) with marker {}",
        marker.unitId(),
        written,
        files.size(),
        marker.totalBytes(),
        reason.label(),
        markerKey);
    return marker;
  }
}
