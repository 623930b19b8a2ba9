package io.redstage.connector.commit;

import io.redstage.connector.config.SinkConfigDef;
import io.redstage.connector.format.FileOutputException;
import io.redstage.connector.format.KafkaCoordinates;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.WarehouseLimits;
import io.redstage.connector.rotate.RotationReason;
import io.redstage.connector.storage.S3UploadStream;
import io.redstage.contract.MarkerKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one topic-partition: routes each record to a file of the open commit unit, applies
 * rotation, and commits units through the {@link UnitCommitter}. Not thread-safe; one per assigned
 * partition.
 */
final class PartitionWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionWriter.class);

  /** What the task does with a null value (tombstone). */
  enum NullValues {
    FAIL,
    IGNORE,
    WRITE
  }

  /**
   * Records between file-size checks for flush.size.bytes. Estimating a Parquet file's size walks
   * every column buffer, too costly per record; a file may pass the limit by this many records at
   * most.
   */
  static final int SIZE_CHECK_EVERY = 32;

  private final String topic;
  private final int partition;
  private final Components c;
  private CommitUnit unit;

  /** Offsets, the running commit and what a rewind restores (see {@link PartitionCommits}). */
  private final PartitionCommits commits = new PartitionCommits();

  /**
   * Counts a failed part of this partition's files, once per rewind (see PartUploads#takeFailure).
   */
  private final Runnable chargePartFailure = commits::failed;

  /** The open unit's heap as last counted into the task's total (see {@link #recountOpenBytes}). */
  private long countedOpenBytes;

  /** Highest offset delivered to this writer; -1 before the first record. */
  private long lastSeen = -1;

  /**
   * A row of the open unit with the unit's value schema, so that a tombstone can become a delete
   * row in the unit's typed file; null while no unit is open or it has no such row. Only the unit's
   * own rows decide it, never an earlier unit's (see {@link DeleteRows#of}).
   */
  private SinkRecord unitSchemaRecord;

  /** The last partition path whose keys fit S3's limit: most records share their predecessor's. */
  private String fittingPartitionPath;

  PartitionWriter(String topic, int partition, Components components) {
    this.topic = topic;
    this.partition = partition;
    this.c = components;
  }

  String topic() {
    return topic;
  }

  int partition() {
    return partition;
  }

  String where() {
    return topic + "-" + partition;
  }

  PartitionCommits commits() {
    return commits;
  }

  long lastSeen() {
    return lastSeen;
  }

  boolean hasOpenUnit() {
    return unit != null;
  }

  CommitUnit openUnit() {
    return unit;
  }

  /**
   * Counts the open unit's heap again (0 without one) and returns how much it changed since the
   * last count: the task keeps a running total of its open units from these changes, so that it
   * need not visit every partition after each batch.
   */
  long recountOpenBytes() {
    long now = unit == null ? 0 : unit.bufferedBytes();
    long change = now - countedOpenBytes;
    countedOpenBytes = now;
    return change;
  }

  /**
   * The earliest time a time-based rule (schedule, idle) could close the open unit, as of {@code
   * nowMs}; Long.MAX_VALUE without an open unit or without such rules. It only moves later while
   * the unit stays open: the schedule's boundary is fixed when the unit opens, and records push the
   * idle deadline back.
   */
  long nextTickAtMs(long nowMs) {
    if (unit == null) {
      return Long.MAX_VALUE;
    }
    long wait = c.rotation.millisUntilNextTick(unit, nowMs);
    return wait >= Long.MAX_VALUE - nowMs ? Long.MAX_VALUE : nowMs + wait;
  }

  /** The wall clock was set back to {@code nowMs} (see {@link CommitUnit#clockSetBack}). */
  void clockSetBack(long nowMs) {
    if (unit != null) {
      unit.clockSetBack(nowMs);
    }
  }

  /** The open unit's heap at the last {@link #recountOpenBytes}. */
  long countedOpenBytes() {
    return countedOpenBytes;
  }

  /** Writes one record. IOExceptions mean S3 failed: the caller aborts and rewinds. */
  void write(SinkRecord record, long nowMs) throws IOException {
    long offset = KafkaCoordinates.offset(record);
    lastSeen = Math.max(lastSeen, offset);
    if ((unit != null && offset <= unit.endOffset)
        || (unit == null && commits.inClosedUnit(offset))) {
      return; // redelivered after a rewind: already in the open or a closed unit
    }
    if (record.value() == null && c.nullValues == NullValues.FAIL) {
      // Like any bad record: to the dead letter queue under errors.tolerance=all, so the unit goes
      // on around it.
      c.badRecords.report(
          record,
          new DataException(
              "Cannot write record "
                  + where(record)
                  + ": its value is null "
                  + "(a tombstone) and behavior.on.null.values=fail. Set behavior.on.null.values=ignore to skip tombstones "
                  + "or =write to store delete rows for upsert loads, or let errors.tolerance=all send them to the dead "
                  + "letter queue."));
      handledWithoutRow(record, nowMs);
      return;
    }
    Long recordTime = null;
    String encodedPartition;
    SinkRecord toWrite = record;
    // a delete row that cannot take the open unit's schema opens a unit of its own
    boolean ownUnit = false;
    // why the record's own value names no path or time, when the open unit's schema did
    DataException placedOnlyByProjection = null;
    try {
      if (record.value() == null) {
        if (c.nullValues == NullValues.IGNORE) {
          handledWithoutRow(record, nowMs);
          return;
        }
        DeleteRows.checkNamesARow(record, c.format, c.keyColumn);
        ownUnit = DeleteRows.needsOwnUnit(record, unitSchemaRecord, c.format, c.keyColumn);
        toWrite = DeleteRows.of(record, c.format, ownUnit ? null : unitSchemaRecord, c.keyColumn);
      }
      if (record.value() == null) {
        // a delete row has no value fields: its time and path may not come from them
        recordTime = checkedTime(record, DeleteRows.time(c, toWrite, nowMs));
        encodedPartition = DeleteRows.path(c, toWrite, nowMs);
      } else {
        try {
          recordTime = valueTime(toWrite, nowMs);
          encodedPartition = c.partitioner.encodePartition(toWrite, nowMs);
        } catch (DataException e) {
          // An older record lacks a field the open unit's (newer) version added with a default:
          // projected, as it will be written, it holds the default, and its path and time are read
          // from that (schema.compatibility). Only after the record's own value failed: FORWARD
          // projects newer records down, dropping fields their own value still has.
          SinkRecord projected = projectedToOpenUnit(record);
          if (projected == null) {
            throw e;
          }
          try {
            recordTime = valueTime(projected, nowMs);
            encodedPartition = c.partitioner.encodePartition(projected, nowMs);
          } catch (DataException again) {
            throw e;
          }
          toWrite = projected;
          placedOnlyByProjection = e;
        }
      }
      if (!encodedPartition.equals(fittingPartitionPath)) {
        checkKeyLength(record, encodedPartition);
        fittingPartitionPath = encodedPartition;
      }
    } catch (DataException e) {
      c.badRecords.report(record, e);
      handledWithoutRow(record, nowMs);
      return;
    }
    if (unit != null) {
      RotationReason reason = c.rotation.beforeRecord(unit, recordTime);
      if (reason != null && placedOnlyByProjection != null) {
        // the unit whose schema placed the record closes before it, and the unit the record would
        // open has no such schema: as with no unit open (and so as a replay that starts here),
        // its own value names no path
        c.badRecords.report(record, placedOnlyByProjection);
        handledWithoutRow(record, nowMs);
        return;
      }
      // Files of one unit share one schema: a record of another schema is projected to it
      // (schema.compatibility)
      // or starts a new unit. A record for a file not open yet is checked beside another file of
      // the unit: a
      // schemaless JSON Lines file has columns of its own, so another file's column types do not
      // close the unit.
      UnitFile target = unit.file(encodedPartition);
      UnitFile beside = target != null ? null : unit.anyFile();
      if (reason == null && ownUnit) {
        // a delete must not become a bad record only because it follows an update in its unit
        reason = RotationReason.SCHEMA;
      }
      if (reason == null && (target != null || beside != null)) {
        SinkRecord fitted;
        try {
          fitted =
              target != null
                  ? c.format.fit(target.writer, toWrite)
                  : c.format.fitBeside(beside.writer, toWrite);
        } catch (DataException e) {
          // A value that does not match its own schema cannot be projected to the file's.
          c.badRecords.report(record, e);
          handledWithoutRow(record, nowMs);
          return;
        }
        if (fitted == null) {
          reason = RotationReason.SCHEMA;
        } else {
          toWrite = fitted;
        }
      }
      if (reason != null) {
        commit(reason);
        if (record.value() == null && !ownUnit) {
          // the delete row took the closed unit's schema; the unit it opens must not (a replay that
          // starts at this tombstone has not seen that unit and would write other bytes)
          toWrite = DeleteRows.of(record, c.format, null, c.keyColumn);
        }
      }
    }
    if (unit == null) {
      unit = new CommitUnit(commits.unitStart(offset), nowMs);
    }
    UnitFile file = unit.file(encodedPartition);
    long truncatedBefore = c.format.truncatedStrings();
    try {
      if (file == null) {
        file = openFile(encodedPartition, toWrite);
        if (toWrite.valueSchema() != null) {
          // the file keeps this layout even if the row below fails: a delete row after it must fit
          // it or open a unit of its own (DeleteRows.needsOwnUnit), not become a bad record
          unitSchemaRecord = toWrite;
        }
      }
      file.writer.write(toWrite);
      unit.written(nowMs);
      unit.truncated(c.format.truncatedStrings() - truncatedBefore);
      if (file.sizeCheckDue(SIZE_CHECK_EVERY)) {
        unit.noteFileBytes(file.writer.estimatedBytes());
      }
      if (toWrite.valueSchema() != null) {
        unitSchemaRecord = toWrite;
      }
    } catch (DataException e) {
      c.badRecords.report(record, e);
      // its time is no row's: it must not start the unit's rotate.interval.ms (a year-10000
      // timestamp would hold every later record "before" it)
      recordTime = null;
      unit.setAside();
    } catch (FileOutputException e) {
      // The file's upload failed (a part, after the SDK's retries): rewind instead of failing the
      // task.
      commits.failed();
      throw new IOException(e.getMessage(), e);
    }
    unit.handled(offset, nowMs, recordTime);
    RotationReason after = c.rotation.afterRecord(unit);
    if (after != null) {
      commit(after);
    }
  }

  /** The time of a record with a value, when the rotation uses record times; else null. */
  private Long valueTime(SinkRecord record, long nowMs) {
    return c.rotation.usesRecordTime()
        ? checkedTime(record, c.timestamps.extract(record, nowMs))
        : null;
  }

  /**
   * {@code record} projected to the value schema of the open unit's files (schema.compatibility),
   * or null when no unit has a file open or the record is not projected to it (already of its
   * schema, or a version the mode does not project).
   *
   * @throws DataException when the record's value does not match its own schema
   */
  private SinkRecord projectedToOpenUnit(SinkRecord record) {
    UnitFile any = unit == null ? null : unit.anyFile();
    if (any == null || record.valueSchema() == null) {
      return null;
    }
    SinkRecord projected = c.format.fitBeside(any.writer, record);
    return projected == record ? null : projected;
  }

  /**
   * A record time rotate.interval.ms can order, or a bad record: outside years 1 to 9999 (a field
   * in microseconds read as milliseconds, a producer's broken clock) it would close the open unit,
   * with every good record in it, before the record itself is found bad.
   */
  private static Long checkedTime(SinkRecord record, Long time) {
    if (time != null && !WarehouseLimits.inYears1To9999(time)) {
      throw new DataException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + ": its time ("
              + SinkConfigDef.TIMESTAMP_EXTRACTOR
              + ") is "
              + time
              + " ms since 1970, outside years 1 to 9999, which "
              + SinkConfigDef.ROTATE_INTERVAL_MS
              + " cannot place among the unit's records. Fix the producer's timestamps, or convert the "
              + "field with a TimestampConverter SMT.");
    }
    return time;
  }

  /**
   * Commits the open unit when a time-based rule fires, or when {@code taskIdle} (the task caught
   * up, see {@link RotationPolicy#millisUntilTaskIdle}); returns when the next one could (see
   * {@link #nextTickAtMs}).
   */
  long tick(long nowMs, boolean taskIdle) throws IOException {
    if (unit == null) {
      return Long.MAX_VALUE;
    }
    RotationReason reason = c.rotation.onTick(unit, nowMs);
    if (reason == null && taskIdle) {
      reason = RotationReason.TASK_IDLE;
    }
    if (reason != null) {
      commit(reason);
      return Long.MAX_VALUE;
    }
    return nextTickAtMs(nowMs);
  }

  /**
   * Closes the open unit and hands it to the background commits; its offsets count once it has
   * committed.
   */
  void commit(RotationReason reason) {
    CommitUnit closing = unit;
    unit = null;
    if (!closing.handledAny()) {
      // Opened for a record that then failed the task (no dead letter queue), and closed by a rule
      // in the preCommit Connect still makes: its marker would claim that record's offset, and the
      // loader would drop the record once it is written after the fix.
      closing.abort();
      unitSchemaRecord = null;
      return;
    }
    if (closing.truncatedStrings() > 0) {
      LOG.info(
          "Unit {}+{}+{}+{} of {}: cut {} strings to their byte limit (behavior.on.oversize.string=truncate)",
          topic,
          partition,
          closing.startOffset,
          closing.endOffset,
          where(),
          closing.truncatedStrings());
    }
    commits.closed(closing);
    unitSchemaRecord = null;
    c.commits.submit(this, closing, reason, closing.bufferedBytes());
  }

  /**
   * Drops the open unit and its uploads (rebalance, stop, or an S3 failure before a rewind). Units
   * already handed to the background commits are dropped there; what was not committed is written
   * again after the rewind.
   */
  void abort() {
    if (unit != null) {
      CommitUnit dropping = unit;
      unit = null;
      dropping.abort();
    }
    unitSchemaRecord = null;
    commits.abort();
  }

  private void handledWithoutRow(SinkRecord record, long nowMs) {
    if (unit == null) {
      unit = new CommitUnit(commits.unitStart(KafkaCoordinates.offset(record)), nowMs);
    }
    unit.handled(KafkaCoordinates.offset(record), nowMs, null);
    unit.setAside();
    // flush.size counts these too: with the wall-clock rules off, nothing else would close a unit
    // of only such records, and their offsets would never commit
    RotationReason after = c.rotation.afterRecord(unit);
    if (after != null) {
      commit(after);
    }
  }

  private UnitFile openFile(String encodedPartition, SinkRecord first) throws IOException {
    String identity = c.naming.fileIdentity(topic, partition, encodedPartition, unit.startOffset);
    // Full parts go out on the part-upload pool while writing goes on, never waited for here; the
    // unit's commit waits for them.
    S3UploadStream upload =
        c.storage.create(
            c.naming.temporaryKey(topic, partition, unit.startOffset, c.format.extension()),
            c.commits.parts(),
            chargePartFailure);
    RecordFileWriter writer;
    try {
      writer = c.format.open(upload, first, identity);
    } catch (RuntimeException e) {
      upload.abort();
      throw e;
    }
    UnitFile file = new UnitFile(encodedPartition, writer, upload, c.heap);
    unit.addFile(file);
    return file;
  }

  /**
   * A record whose partition path makes a key S3 refuses would fail the unit's upload, and with it
   * every good record of the unit, on every retry: it is a bad record instead.
   */
  private void checkKeyLength(SinkRecord record, String encodedPartition) {
    int bytes = c.naming.longestKeyBytes(topic, partition, encodedPartition, c.format.extension());
    if (bytes > MarkerKeys.MAX_KEY_BYTES) {
      throw new DataException(
          "Cannot write record "
              + where(record)
              + ": its partition path ("
              + encodedPartition.getBytes(StandardCharsets.UTF_8).length
              + " bytes, from the partitioner) makes file keys of up to "
              + bytes
              + " bytes, over S3's limit of "
              + MarkerKeys.MAX_KEY_BYTES
              + ". Partition by a field with shorter values (partition.field.name), or shorten path.format or "
              + "topics.dir.");
    }
  }

  static String where(SinkRecord r) {
    return KafkaCoordinates.describe(r);
  }
}
