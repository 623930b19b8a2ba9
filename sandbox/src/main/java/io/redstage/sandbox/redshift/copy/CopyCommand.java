package io.redstage.sandbox.redshift.copy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A parsed Redshift {@code COPY ... FROM 's3://...'} command. */
final class CopyCommand {
  /**
   * Data formats of COPY. TEXT is Redshift's default (delimited text), which the sandbox does not
   * load.
   */
  enum Format {
    TEXT,
    CSV,
    JSON,
    AVRO,
    PARQUET,
    ORC
  }

  /** Compression of text/JSON input (columnar and Avro files carry their own). */
  enum Compression {
    NONE,
    GZIP,
    ZSTD,
    BZIP2,
    LZOP
  }

  String table;
  List<String> columns = List.of();
  String from;
  boolean manifest;
  String iamRole;
  String credentials;
  String accessKeyId;
  Format format = Format.TEXT;

  /** The JSON/AVRO argument: 'auto' or 'auto ignorecase' (others are refused). */
  String formatArgument;

  Compression compression = Compression.NONE;
  String timeFormat;
  String dateFormat;

  boolean serializeToJson;
  boolean explicitIds;
  boolean fillRecord;

  /**
   * ROUNDEC: a number with more decimals than its DECIMAL column is rounded; without it COPY
   * truncates (DG copy-parameters-data-conversion).
   */
  boolean roundDecimals;

  String region;
  Integer maxError;
  String statUpdate;
  String compUpdate;

  /** Every parameter keyword present, uppercase, in order: columnar COPY accepts only some. */
  final Set<String> keywords = new LinkedHashSet<>();

  boolean isColumnar() {
    return format == Format.PARQUET || format == Format.ORC;
  }

  boolean ignoreCase() {
    return formatArgument != null && formatArgument.trim().equalsIgnoreCase("auto ignorecase");
  }
}
