package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/** Builds the DataExceptions of this package: "Cannot write record t/p/o as X: why. What to do." */
final class RecordErrors {
  static final String FIX_VALUE =
      "Make the value match its schema (check the producer and the converter), "
          + WarehouseLimits.TO_DLQ;

  private RecordErrors() {}

  static String formatName(FileFormat format) {
    switch (format) {
      case PARQUET:
        return "Parquet";
      case AVRO:
        return "Avro";
      default:
        return "JSON Lines";
    }
  }

  static DataException cannotWrite(
      SinkRecord record, FileFormat format, String why, String whatToDo) {
    return new DataException(
        "Cannot write record "
            + KafkaCoordinates.describe(record)
            + " as "
            + formatName(format)
            + ": "
            + why
            + ". "
            + whatToDo);
  }

  static DataException conversion(
      SinkRecord record, FileFormat format, String side, ConversionException e) {
    String where = e.path().isEmpty() ? "the " + side : side + " field '" + e.path() + "'";
    return new DataException(
        "Cannot write record "
            + KafkaCoordinates.describe(record)
            + " as "
            + formatName(format)
            + ": "
            + where
            + " "
            + e.reason()
            + ". "
            + (e.fix() == null ? FIX_VALUE : e.fix()),
        e);
  }

  static DataException noSchema(SinkRecord record, FileFormat format) {
    return cannotWrite(
        record,
        format,
        "the value has no schema",
        "Use a converter with schemas (e.g. JsonConverter with schemas.enable=true) or format.class=jsonl.");
  }

  static DataException tombstoneNotWanted(SinkRecord record, FileFormat format) {
    return cannotWrite(
        record,
        format,
        "it is a tombstone (null value) and delete markers are off",
        "Set behavior.on.null.values=ignore to skip tombstones, or =write to write them as delete rows.");
  }

  static DataException requiredInTombstone(SinkRecord record, FileFormat format, String field) {
    return cannotWrite(
        record,
        format,
        "it is a tombstone and the value field '"
            + field
            + "' is required, so a delete row cannot leave it null",
        "Make the field optional in the value schema (or part of the Struct key), or set "
            + "behavior.on.null.values=ignore.");
  }

  static DataException schemaChanged(SinkRecord record, FileFormat format) {
    return cannotWrite(
        record,
        format,
        "its value schema differs from the schema of the open file",
        "Rotate the file when RecordFormat.compatible() returns false.");
  }
}
