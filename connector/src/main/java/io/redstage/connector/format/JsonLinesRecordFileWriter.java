package io.redstage.connector.format;

import com.fasterxml.jackson.core.JsonGenerator;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes one JSON Lines file: one JSON object per record, each line ended by '\n', optionally gzip
 * compressed as a whole. Each line is rendered into a private buffer first and only a complete line
 * reaches the file, so a record that fails half-way leaves no trace.
 *
 * <p>The gzip header written by {@link GZIPOutputStream} has no file name and a zero modification time,
 * so the output is deterministic for a given JVM (its zlib decides the compressed bytes).
 */
final class JsonLinesRecordFileWriter implements SchemaBoundWriter {
  private static final FileFormat FORMAT = FileFormat.JSONL;
  private static final int GZIP_TRAILER_BYTES = 8;

  private final RowLayout layout;
  private final FormatOptions options;
  private final MetadataColumns metadata;
  private final ConnectJson json;
  private final PositionedOutputStream out;
  private final long start;
  private final Gzip gzip;
  private final OutputStream sink;
  private final RowBuffer line = new RowBuffer();
  private JsonGenerator generator;
  private Schema lastMatchedSchema;
  private long recordCount;
  private long uncompressedBytes;
  /** Uncompressed bytes written when {@code out} last grew: how much input gzip may still hold. */
  private long uncompressedAtLastGrowth;
  private long lastPosition;
  private boolean finished;

  private JsonLinesRecordFileWriter(RowLayout layout, MetadataColumns metadata, ConnectJson json,
      PositionedOutputStream out, long start, Gzip gzip) {
    this.layout = layout;
    this.options = metadata.options();
    this.metadata = metadata;
    this.json = json;
    this.out = out;
    this.start = start;
    this.gzip = gzip;
    this.sink = gzip != null ? gzip : out;
    this.lastMatchedSchema = layout.valueSchema;
    this.lastPosition = out.position();
  }

  static JsonLinesRecordFileWriter open(PositionedOutputStream out, RowLayout layout, MetadataColumns metadata,
      ConnectJson json, String fileKey) {
    long start = out.position();
    Gzip gzip = null;
    if ("gzip".equals(metadata.options().jsonCompression())) {
      try {
        gzip = new Gzip(new UnclosableOutputStream(out));
      } catch (IOException e) {
        throw new ConnectException("Cannot start JSON Lines file " + fileKey + ": writing the gzip header failed. "
            + "Abort the upload and retry.", e);
      }
    }
    return new JsonLinesRecordFileWriter(layout, metadata, json, out, start, gzip);
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

  @Override
  public void write(SinkRecord record) {
    if (finished) {
      throw new IllegalStateException("Cannot use a JSON Lines file writer after finish() or abort()");
    }
    line.clear();
    try {
      if (generator == null) {
        generator = ConnectJson.FACTORY.createGenerator(line);
      }
      writeRow(generator, record);
      generator.flush();
    } catch (IOException | RuntimeException e) {
      // The generator is mid-object now; start the next record with a fresh one.
      generator = null;
      line.clear();
      if (e instanceof DataException) {
        throw (DataException) e;
      }
      throw new DataException("Cannot write record " + KafkaCoordinates.describe(record) + " as JSON Lines: the "
          + "JSON encoder failed (" + e.getClass().getSimpleName() + "). " + RecordErrors.FIX_VALUE, e);
    }
    line.write('\n');
    try {
      sink.write(line.array(), 0, line.size());
    } catch (IOException e) {
      throw new ConnectException("Cannot write record " + KafkaCoordinates.describe(record)
          + " to the JSON Lines file: the output stream failed. Abort this file and retry.", e);
    }
    recordCount++;
    uncompressedBytes += line.size();
    long position = out.position();
    if (position != lastPosition) {
      lastPosition = position;
      uncompressedAtLastGrowth = uncompressedBytes;
    }
  }

  private void writeRow(JsonGenerator g, SinkRecord r) throws IOException {
    g.writeStartObject();
    Object value = r.value();
    if (value == null) {
      writeTombstone(g, r);
    } else {
      try {
        if (layout.valueSchema != null) {
          if (!matchesValueSchema(r.valueSchema())) {
            throw RecordErrors.schemaChanged(r, FORMAT);
          }
          if (layout.flattened) {
            json.writeFields(g, ValueChecks.struct(layout.valueSchema, value));
          } else {
            g.writeFieldName("value");
            json.writeTyped(g, layout.valueSchema, value);
          }
        } else if (r.valueSchema() != null) {
          throw RecordErrors.schemaChanged(r, FORMAT);
        } else if (value instanceof Map) {
          metadata.checkNoClash((Map<?, ?>) value, r, FORMAT);
          json.writeUntypedEntries(g, (Map<?, ?>) value);
        } else {
          g.writeFieldName("value");
          json.writeUntyped(g, value);
        }
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "value", e);
      }
    }
    writeMetadata(g, r, value == null);
    g.writeEndObject();
  }

  /** Value fields are null except those named like a field of a Struct key (schemaless: the key's fields). */
  private void writeTombstone(JsonGenerator g, SinkRecord r) throws IOException {
    if (!options.deleteMarkers()) {
      throw RecordErrors.tombstoneNotWanted(r, FORMAT);
    }
    Object key = r.key();
    try {
      if (layout.valueSchema == null) {
        if (key instanceof Struct) {
          json.writeFields(g, (Struct) key);
        } else if (key instanceof Map) {
          metadata.checkNoClash((Map<?, ?>) key, r, FORMAT);
          json.writeUntypedEntries(g, (Map<?, ?>) key);
        }
      } else if (!layout.flattened) {
        if (!layout.valueSchema.isOptional()) {
          throw RecordErrors.requiredInTombstone(r, FORMAT, "value");
        }
        g.writeFieldName("value");
        g.writeNull();
      } else {
        Struct keyStruct = key instanceof Struct ? (Struct) key : null;
        for (Field f : layout.valueSchema.fields()) {
          Field keyField = keyStruct == null ? null : keyStruct.schema().field(f.name());
          Object keyValue = keyField == null ? null : keyStruct.get(keyField);
          if (keyValue == null && !f.schema().isOptional()) {
            throw RecordErrors.requiredInTombstone(r, FORMAT, f.name());
          }
          g.writeFieldName(f.name());
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

  private void writeMetadata(JsonGenerator g, SinkRecord r, boolean tombstone) throws IOException {
    if (options.metadataEnabled()) {
      g.writeStringField(options.topicColumn(), KafkaCoordinates.topic(r));
      g.writeNumberField(options.partitionColumn(), KafkaCoordinates.partition(r));
      g.writeNumberField(options.offsetColumn(), KafkaCoordinates.offset(r));
      g.writeFieldName(options.timestampColumn());
      if (r.timestamp() == null) {
        g.writeNull();
      } else {
        g.writeString(TimeText.timestamp(r.timestamp(), options.timestampUnit()));
      }
    }
    if (options.keyColumnEnabled()) {
      g.writeFieldName(options.keyColumn());
      try {
        if (r.key() == null) {
          g.writeNull();
        } else if (layout.keyStructSchema != null) {
          json.writeStruct(g, ValueChecks.struct(layout.keyStructSchema, r.key()));
        } else {
          g.writeString(metadata.keyText(r));
        }
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "key", e);
      }
    }
    if (options.headersColumnEnabled()) {
      Map<String, String> headers;
      try {
        headers = metadata.headers(r);
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "header", e);
      }
      g.writeObjectFieldStart(options.headersColumn());
      for (Map.Entry<String, String> h : headers.entrySet()) {
        g.writeStringField(h.getKey(), h.getValue());
      }
      g.writeEndObject();
    }
    if (options.deleteMarkers()) {
      g.writeBooleanField(options.deletedColumn(), tombstone);
    }
  }

  @Override
  public long recordCount() {
    return recordCount;
  }

  /**
   * Plain files: exactly the bytes written. Gzip: bytes written plus the input deflate may still hold,
   * scaled by the compression ratio seen so far (1:1 before any compressed block came out), plus the
   * trailer.
   */
  @Override
  public long estimatedBytes() {
    long written = out.position() - start;
    if (gzip == null || finished) {
      return written;
    }
    long pendingInput = uncompressedBytes - uncompressedAtLastGrowth;
    double ratio = uncompressedAtLastGrowth == 0 ? 1.0 : (double) written / uncompressedAtLastGrowth;
    return written + (long) (pendingInput * ratio) + GZIP_TRAILER_BYTES;
  }

  /**
   * 0: lines go straight to {@code out}, and gzip's deflater state (a few hundred KB per open gzip file)
   * lives in native memory of a fixed size, not in a growing heap buffer.
   */
  @Override
  public long bufferedBytes() {
    return 0;
  }

  @Override
  public List<MarkerColumn> columns() {
    return layout.columns;
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("Cannot use a JSON Lines file writer after finish() or abort()");
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

  /** GZIPOutputStream with an 8 KiB output buffer and a way to free the deflater without writing. */
  private static final class Gzip extends GZIPOutputStream {
    Gzip(OutputStream target) throws IOException {
      super(target, 8192);
    }

    void release() {
      def.end();
    }
  }
}
