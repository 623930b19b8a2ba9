package io.redstage.connector.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes one JSON Lines file: one JSON object per record, each line ended by '\n', optionally gzip
 * compressed as a whole. Each line is rendered into a private buffer first and only a complete line
 * reaches the file, so a record that fails half-way leaves no trace.
 *
 * <p>The gzip header written by {@link GZIPOutputStream} has no file name and a zero modification
 * time, so the output is deterministic for a given JVM (its zlib decides the compressed bytes).
 *
 * <p>Top-level keys are the column names of {@link ColumnNames}. A schemaless file's value columns
 * grow with its records ({@link SchemalessColumns}); a record whose fields do not fit them must
 * start a new file.
 */
final class JsonLinesRecordFileWriter implements SchemaBoundWriter {
  private static final FileFormat FORMAT = FileFormat.JSONL;
  private static final int GZIP_TRAILER_BYTES = 8;

  private final RowLayout layout;
  private final FormatOptions options;
  private final ConnectJson json;
  private final JsonLinesMetadataWriter metadataWriter;

  /**
   * The keys of {@code layout.columns}, encoded once per file rather than escaped again in every
   * row (see {@link JsonLinesMetadataWriter}).
   */
  private final SerializableString[] columnKeys;

  /** The value columns of a schemaless file; null when the file has a value schema. */
  private final SchemalessColumns schemaless;

  private final PositionedOutputStream out;
  private final long start;
  private final Gzip gzip;
  private final OutputStream sink;
  private final RowBuffer line = new RowBuffer();
  private JsonGenerator generator;
  private Schema lastMatchedSchema;
  private List<MarkerColumn> valueColumnsSeen = List.of();
  private List<MarkerColumn> columns;
  private long recordCount;

  /** Whether the file\'s records had keys: its key column holds only nulls otherwise. */
  private final MetadataColumns.NullKeys nullKeys = new MetadataColumns.NullKeys();

  private long uncompressedBytes;

  /** Uncompressed bytes written when {@code out} last grew: how much input gzip may still hold. */
  private long uncompressedAtLastGrowth;

  private long lastPosition;
  private boolean finished;

  private JsonLinesRecordFileWriter(
      RowLayout layout,
      SchemalessColumns schemaless,
      MetadataColumns metadata,
      ConnectJson json,
      PositionedOutputStream out,
      long start,
      Gzip gzip) {
    this.layout = layout;
    this.schemaless = schemaless;
    this.options = metadata.options();
    this.json = json.forFile();
    this.metadataWriter = new JsonLinesMetadataWriter(metadata, this.json, layout);
    this.columnKeys = new SerializableString[layout.columns.size()];
    for (int i = 0; i < columnKeys.length; i++) {
      columnKeys[i] = new SerializedString(layout.columns.get(i).name());
    }
    this.columns = layout.columns;
    this.out = out;
    this.start = start;
    this.gzip = gzip;
    this.sink = gzip != null ? gzip : out;
    this.lastMatchedSchema = layout.valueSchema;
    this.lastPosition = out.position();
  }

  /**
   * {@code schemaless} holds the value columns of a file without value schema, and is null
   * otherwise.
   */
  static JsonLinesRecordFileWriter open(
      PositionedOutputStream out,
      RowLayout layout,
      SchemalessColumns schemaless,
      MetadataColumns metadata,
      ConnectJson json,
      String fileKey) {
    long start = out.position();
    Gzip gzip = null;
    if ("gzip".equals(metadata.options().jsonCompression())) {
      try {
        gzip = new Gzip(new UnclosableOutputStream(out));
      } catch (IOException e) {
        throw new FileOutputException(
            "Cannot start JSON Lines file "
                + fileKey
                + ": writing the gzip header failed. "
                + "Abort the upload and retry.",
            e);
      }
    }
    return new JsonLinesRecordFileWriter(layout, schemaless, metadata, json, out, start, gzip);
  }

  @Override
  public RowLayout layout() {
    return layout;
  }

  @Override
  public boolean matchesValueSchema(Schema s) {
    if (s == lastMatchedSchema || s == layout.valueSchema) {
      return true;
    }
    if (s != null && s.equals(layout.valueSchema)) {
      lastMatchedSchema = s;
      return true;
    }
    return false;
  }

  /**
   * Whether the fields of {@code record} fit this file's columns; always true for a file with a
   * value schema. A record that write() rejects anyway (e.g. a field name too long) is reported as
   * fitting.
   */
  boolean fits(SinkRecord record) {
    return !hasSchemalessRow(record) || schemaless.fits(record);
  }

  /**
   * Schemaless values, and tombstones written as delete rows, in a schemaless file: their rows come
   * from {@link #schemaless}.
   */
  private boolean hasSchemalessRow(SinkRecord record) {
    return schemaless != null
        && (record.value() == null ? options.deleteMarkers() : record.valueSchema() == null);
  }

  @Override
  public void write(SinkRecord record) {
    if (finished) {
      throw new IllegalStateException(
          "Cannot use a JSON Lines file writer after finish() or abort()");
    }
    line.clear();
    SchemalessColumns.Row row = null;
    try {
      if (generator == null) {
        generator = ConnectJson.FACTORY.createGenerator(line);
      }
      if (hasSchemalessRow(record)) {
        row = schemaless.rowOf(record);
        if (row.conflict() != null) {
          throw RecordErrors.cannotWrite(
              record,
              FORMAT,
              row.conflict(),
              "Rotate the file when RecordFormat.compatible() returns false.");
        }
      }
      writeRow(generator, record, row);
      generator.flush();
      WarehouseLimits.rowBytes(
          record, FORMAT, line.size() + 1L, WarehouseLimits.COPY_ROW_MAX_BYTES);
    } catch (IOException | RuntimeException e) {
      // The generator is mid-object now; start the next record with a fresh one.
      generator = null;
      line.clear();
      if (e instanceof DataException) {
        throw (DataException) e;
      }
      throw new DataException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " as JSON Lines: the "
              + "JSON encoder failed ("
              + e.getClass().getSimpleName()
              + "). "
              + RecordErrors.FIX_VALUE,
          e);
    }
    line.write('\n');
    try {
      sink.write(line.array(), 0, line.size());
    } catch (IOException e) {
      throw new FileOutputException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the JSON Lines file: the output stream failed. Abort this file and retry.",
          e);
    }
    if (row != null) {
      schemaless.add(row);
    }
    recordCount++;
    nullKeys.written(record);
    uncompressedBytes += line.size();
    long position = out.position();
    if (position != lastPosition) {
      lastPosition = position;
      uncompressedAtLastGrowth = uncompressedBytes;
    }
  }

  private void writeRow(JsonGenerator g, SinkRecord r, SchemalessColumns.Row row)
      throws IOException {
    g.writeStartObject();
    Object value = r.value();
    if (value == null) {
      writeTombstone(g, r, row);
    } else {
      try {
        if (layout.valueSchema != null) {
          if (!matchesValueSchema(r.valueSchema())) {
            throw RecordErrors.schemaChanged(r, FORMAT);
          }
          if (layout.flattened) {
            writeFields(g, ValueChecks.struct(layout.valueSchema, value));
          } else {
            g.writeFieldName(columnKeys[0]);
            json.writeTyped(g, layout.valueSchema, value);
          }
        } else if (r.valueSchema() != null) {
          throw RecordErrors.schemaChanged(r, FORMAT);
        } else {
          writeCells(g, row);
        }
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "value", e);
      }
    }
    metadataWriter.write(g, r, value == null);
    g.writeEndObject();
  }

  /** The fields of a value struct under their column names. */
  private void writeFields(JsonGenerator g, Struct struct) throws IOException {
    List<Field> fields = struct.schema().fields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      g.writeFieldName(columnKeys[i]);
      try {
        json.writeTyped(g, f.schema(), FieldValues.of(struct, f));
      } catch (ConversionException e) {
        throw e.inField(f.name());
      }
    }
  }

  /**
   * The planned cells of a schemaless row: top-level names are column names, nested values as they
   * are.
   */
  private void writeCells(JsonGenerator g, SchemalessColumns.Row row) throws IOException {
    for (SchemalessColumns.Cell cell : row.cells) {
      g.writeFieldName(cell.columnName());
      try {
        if (cell.schema != null) {
          json.writeTyped(g, cell.schema, cell.value);
        } else {
          json.writeUntyped(g, cell.value);
        }
      } catch (ConversionException e) {
        throw e.inField(cell.field);
      }
    }
  }

  /**
   * Value fields are null except those named like a field of a Struct key (schemaless: the key's
   * fields).
   */
  private void writeTombstone(JsonGenerator g, SinkRecord r, SchemalessColumns.Row row)
      throws IOException {
    if (!options.deleteMarkers()) {
      throw RecordErrors.tombstoneNotWanted(r, FORMAT);
    }
    Object key = r.key();
    try {
      if (layout.valueSchema == null) {
        writeCells(g, row);
      } else if (!layout.flattened) {
        if (!layout.valueSchema.isOptional()) {
          throw RecordErrors.requiredInTombstone(r, FORMAT, "value");
        }
        g.writeFieldName(columnKeys[0]);
        g.writeNull();
      } else {
        Struct keyStruct = key instanceof Struct ? (Struct) key : null;
        List<Field> fields = layout.valueSchema.fields();
        for (int i = 0; i < fields.size(); i++) {
          Field f = fields.get(i);
          Field keyField = keyStruct == null ? null : keyStruct.schema().field(f.name());
          Object keyValue = keyField == null ? null : FieldValues.of(keyStruct, keyField);
          if (keyValue == null && !f.schema().isOptional()) {
            throw RecordErrors.requiredInTombstone(r, FORMAT, f.name());
          }
          g.writeFieldName(columnKeys[i]);
          try {
            json.writeTyped(g, f.schema(), keyValue);
          } catch (ConversionException e) {
            throw e.inField(f.name());
          }
        }
      }
    } catch (ConversionException e) {
      throw RecordErrors.conversion(r, FORMAT, "key", e);
    }
  }

  @Override
  public long recordCount() {
    return recordCount;
  }

  /**
   * Plain files: exactly the bytes written. Gzip: bytes written plus the input deflate may still
   * hold, scaled by the compression ratio seen so far (1:1 before any compressed block came out),
   * plus the trailer.
   */
  @Override
  public long estimatedBytes() {
    long written = out.position() - start;
    if (gzip == null || finished) {
      return written;
    }
    long pendingInput = uncompressedBytes - uncompressedAtLastGrowth;
    double ratio =
        uncompressedAtLastGrowth == 0 ? 1.0 : (double) written / uncompressedAtLastGrowth;
    return written + (long) (pendingInput * ratio) + GZIP_TRAILER_BYTES;
  }

  /**
   * 0: lines go straight to {@code out}, and gzip's deflater state (a few hundred KB per open gzip
   * file) lives in native memory of a fixed size, not in a growing heap buffer.
   */
  @Override
  public long bufferedBytes() {
    return 0;
  }

  /**
   * Schemaless files: the value columns of the records written so far, then the metadata columns.
   */
  @Override
  public List<MarkerColumn> columns() {
    if (schemaless != null && schemaless.columns() != valueColumnsSeen) {
      valueColumnsSeen = schemaless.columns();
      List<MarkerColumn> all = new ArrayList<>(valueColumnsSeen.size() + layout.columns.size());
      all.addAll(valueColumnsSeen);
      all.addAll(layout.columns);
      columns = List.copyOf(all);
    }
    return nullKeys.columns(columns, recordCount);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException(
          "Cannot use a JSON Lines file writer after finish() or abort()");
    }
    finished = true;
    generator = null;
    if (gzip != null) {
      gzip.close(); // writes the last block and the trailer; the target ignores close()
    }
  }

  @Override
  public void abort() {
    finished = true;
    generator = null;
    if (gzip != null) {
      gzip.release();
    }
  }

  /**
   * GZIPOutputStream with an 8 KiB output buffer and a way to free the deflater without writing.
   */
  private static final class Gzip extends GZIPOutputStream {
    Gzip(OutputStream target) throws IOException {
      super(target, 8192);
    }

    void release() {
      def.end();
    }
  }
}
