package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.util.Objects;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/** Creates the {@link RecordFormat} for a set of options. */
public final class RecordFormats {
  private RecordFormats() {}

  /**
   * How many bytes of encoded rows a Parquet or Avro file holds before it starts its encoder and
   * streams (see {@link AvroRowsFileWriter}) when the caller does not say; the task uses {@link
   * #heldRowBytes} of its part size instead.
   */
  public static final long DEFAULT_HELD_ROW_BYTES = 16L * FormatOptions.MIB;

  /** The most encoded rows one Parquet or Avro file holds, whatever the part size. */
  static final long MOST_HELD_ROW_BYTES = 25L * FormatOptions.MIB;

  /**
   * How many bytes of encoded rows a file holds before it streams, for S3 parts of {@code
   * partSizeBytes}: one part, since a file below one part is held whole by its upload anyway, but
   * at most {@link #MOST_HELD_ROW_BYTES}. A file built at commit keeps its rows beside the output
   * it builds, and a file that starts streaming keeps them while it encodes them, outside what the
   * memory budget sees at that moment; the cap bounds that to about 25 MiB per build part-way (at
   * most two per build slot, see BuildSlots), as when the part size defaulted to 25 MiB.
   */
  public static long heldRowBytes(int partSizeBytes) {
    return Math.min(partSizeBytes, MOST_HELD_ROW_BYTES);
  }

  /** Formats whose column names follow {@link ColumnNames} without a mapping. */
  public static RecordFormat create(FormatOptions options) {
    return create(options, ColumnNames.unmapped());
  }

  /** Formats whose top-level column names follow {@code names}. */
  public static RecordFormat create(FormatOptions options, ColumnNames names) {
    return create(options, names, DEFAULT_HELD_ROW_BYTES);
  }

  /**
   * Formats whose top-level column names follow {@code names}; a Parquet or Avro file holds up to
   * {@code heldRowBytes} of encoded rows before it starts encoding (0: encode from the first row).
   */
  public static RecordFormat create(FormatOptions options, ColumnNames names, long heldRowBytes) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(names, "names");
    WarehouseLimits limits =
        new WarehouseLimits(options.varcharMaxBytes(), options.truncateOversizeStrings());
    MetadataColumns metadata =
        new MetadataColumns(options, new ConnectJson(options.timestampUnit(), limits));
    switch (options.format()) {
      case PARQUET:
        return new AvroBackedFormat(FileFormat.PARQUET, metadata, names, limits, heldRowBytes);
      case AVRO:
        return new AvroBackedFormat(FileFormat.AVRO, metadata, names, limits, heldRowBytes);
      case JSONL:
        return new JsonLinesFormat(metadata, names, limits);
      default:
        throw new IllegalArgumentException("Cannot create a writer for format " + options.format());
    }
  }

  /** Compatibility and open rules shared by the formats. */
  private abstract static class BaseFormat implements RecordFormat {
    final FileFormat format;
    final FormatOptions options;
    final MetadataColumns metadata;
    final WarehouseLimits limits;

    BaseFormat(FileFormat format, MetadataColumns metadata, WarehouseLimits limits) {
      this.format = format;
      this.options = metadata.options();
      this.metadata = metadata;
      this.limits = limits;
    }

    @Override
    public FileFormat fileFormat() {
      return format;
    }

    @Override
    public long truncatedStrings() {
      return limits.truncated();
    }

    @Override
    public SinkRecord fit(RecordFileWriter writer, SinkRecord record) {
      return fit(writer, record, true);
    }

    @Override
    public SinkRecord fitBeside(RecordFileWriter writer, SinkRecord record) {
      return fit(writer, record, false);
    }

    private SinkRecord fit(RecordFileWriter writer, SinkRecord record, boolean sameFile) {
      if (compatible(writer, record, sameFile)) {
        return record;
      }
      RowLayout layout = bound(writer).layout();
      if (!metadata.keyCompatible(layout.keyStructSchema, record)) {
        return null;
      }
      SinkRecord projected = options.schemaCompatibility().project(layout.valueSchema, record);
      return projected != null && compatible(writer, projected, sameFile) ? projected : null;
    }

    private static SchemaBoundWriter bound(RecordFileWriter writer) {
      if (!(writer instanceof SchemaBoundWriter)) {
        throw new IllegalArgumentException(
            "Cannot check compatibility with a writer of another package: "
                + writer.getClass().getName());
      }
      return (SchemaBoundWriter) writer;
    }

    @Override
    public boolean compatible(RecordFileWriter writer, SinkRecord record) {
      return compatible(writer, record, true);
    }

    /**
     * {@link #compatible}; {@code sameFile} false when {@code record} goes into a new file beside
     * the file of {@code writer}, so only what the files of a unit share counts (value schema, key
     * column), not that file's own.
     */
    boolean compatible(RecordFileWriter writer, SinkRecord record, boolean sameFile) {
      SchemaBoundWriter w = bound(writer);
      RowLayout layout = w.layout();
      if (!metadata.keyCompatible(layout.keyStructSchema, record)) {
        return false;
      }
      if (record.value() == null) {
        return true; // a tombstone takes the layout of the file it lands in
      }
      Schema valueSchema = record.valueSchema();
      if (valueSchema == null) {
        // JSON Lines: schemaless records share schemaless files. Parquet/Avro: write() rejects it
        // anyway.
        return layout.valueSchema == null || format != FileFormat.JSONL;
      }
      return layout.valueSchema != null && w.matchesValueSchema(valueSchema);
    }

    @Override
    public boolean canOpen(SinkRecord record) {
      return format == FileFormat.JSONL || record.value() != null || record.valueSchema() != null;
    }
  }

  /** Parquet and Avro: both write the Avro row built by {@link AvroRows}. */
  private static final class AvroBackedFormat extends BaseFormat {
    private final ConnectAvroSchemas schemas;
    private final ConnectAvroValues values;
    private final long heldRowBytes;

    AvroBackedFormat(
        FileFormat format,
        MetadataColumns metadata,
        ColumnNames names,
        WarehouseLimits limits,
        long heldRowBytes) {
      super(format, metadata, limits);
      this.heldRowBytes = heldRowBytes;
      this.schemas = new ConnectAvroSchemas(format, metadata, names);
      this.values =
          new ConnectAvroValues(options.timestampUnit(), limits, format == FileFormat.AVRO);
    }

    @Override
    public String extension() {
      if (format == FileFormat.AVRO) {
        return ".avro";
      }
      return ParquetRecordFileWriter.codec(options.parquetCodec()).getExtension() + ".parquet";
    }

    @Override
    public String compression() {
      if (format == FileFormat.AVRO) {
        return "null".equals(options.avroCodec()) ? "none" : options.avroCodec();
      }
      return options.parquetCodec();
    }

    @Override
    public RecordFileWriter open(
        PositionedOutputStream out, SinkRecord firstRecord, String fileKey) {
      if (firstRecord.valueSchema() == null) {
        if (firstRecord.value() == null) {
          throw RecordErrors.cannotWrite(
              firstRecord,
              format,
              "it is a tombstone without a value schema, so it " + "cannot start a file",
              "Write it into a file opened by a record with a value schema "
                  + "(see RecordFormat.canOpen), or set behavior.on.null.values=ignore.");
        }
        throw RecordErrors.noSchema(firstRecord, format);
      }
      try {
        AvroRows rows = new AvroRows(format, schemas.layout(firstRecord), metadata, values);
        return format == FileFormat.PARQUET
            ? ParquetRecordFileWriter.open(out, rows, options, fileKey, heldRowBytes)
            : AvroRecordFileWriter.open(out, rows, options, fileKey, heldRowBytes);
      } catch (StackOverflowError e) {
        // A schema within Avro's nesting limit (ConnectAvroSchemas counts it) still takes a few
        // frames a level in the conversion, Avro's Schema.toString and parquet-avro's converter:
        // near the limit (a thousand nested arrays) that can exhaust the task thread's stack,
        // more so before the code is compiled. It has unwound by now, nothing was cached, the
        // caller discards the output, and the record, not the task, is at fault: without this it
        // stopped the task on every restart.
        throw RecordErrors.cannotWrite(
            firstRecord,
            format,
            "its value or key schema is nested too deep for an Avro or Parquet schema (more levels "
                + "than the task thread's stack holds)",
            ConnectAvroSchemas.FLATTEN);
      }
    }
  }

  private static final class JsonLinesFormat extends BaseFormat {
    private final JsonLinesLayouts layouts;
    private final ConnectJson json;

    JsonLinesFormat(MetadataColumns metadata, ColumnNames names, WarehouseLimits limits) {
      super(FileFormat.JSONL, metadata, limits);
      this.layouts = new JsonLinesLayouts(metadata, names);
      this.json = new ConnectJson(options.timestampUnit(), limits);
    }

    @Override
    public String extension() {
      return "gzip".equals(options.jsonCompression()) ? ".jsonl.gz" : ".jsonl";
    }

    @Override
    public String compression() {
      return options.jsonCompression();
    }

    @Override
    public RecordFileWriter open(
        PositionedOutputStream out, SinkRecord firstRecord, String fileKey) {
      RowLayout layout = layouts.layout(firstRecord);
      SchemalessColumns schemaless =
          layout.valueSchema == null ? layouts.schemalessColumns() : null;
      return JsonLinesRecordFileWriter.open(out, layout, schemaless, metadata, json, fileKey);
    }

    /**
     * Also false when a schemaless record's fields conflict with the columns of the schemaless file
     * it goes into; a new file beside it gets columns of its own.
     */
    @Override
    boolean compatible(RecordFileWriter writer, SinkRecord record, boolean sameFile) {
      return super.compatible(writer, record, sameFile)
          && (!sameFile
              || !(writer instanceof JsonLinesRecordFileWriter)
              || ((JsonLinesRecordFileWriter) writer).fits(record));
    }
  }
}
