package io.redstage.connector.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes rows held in their Avro binary encoding ({@link RowStore}) into Parquet: each encoding is
 * read once, straight into Parquet's {@link RecordConsumer}, with the same calls in the same order
 * that parquet-avro's {@link AvroWriteSupport} makes for the decoded row (a null field is skipped,
 * lists in the 3-level layout, map entries in their encoded order), and the file carries the same
 * footer metadata (the Avro schema, model name "avro"). So a file is byte-identical to one written
 * through parquet-avro from the decoded rows with the same writer settings (which columns get a
 * dictionary is one of them), and the Parquet schema still comes from parquet-avro's {@link
 * AvroSchemaConverter}.
 *
 * <p>Hand-written for cost, measured on the peer harness (1M rows of a 10-field record plus the
 * metadata columns): decoding each held row back into a GenericRecord and walking it with
 * AvroWriteSupport took about a third of building a Parquet file, and that walk's generic per-value
 * dispatch (logical-type conversion lookups, boxing) was the largest method the JIT compiled,
 * several times over. Only the Avro types {@link ConnectAvroSchemas} produces are supported:
 * records, optional values ({@code [null, X]} unions), arrays, string-keyed maps and the primitive
 * types.
 */
final class HeldRowWriteSupport extends WriteSupport<HeldRowWriteSupport.HeldRow> {
  /** One held row: {@code length} bytes of {@code array} from {@code offset}. Reused per file. */
  static final class HeldRow {
    byte[] array;
    int offset;
    int length;

    HeldRow set(byte[] array, int offset, int length) {
      this.array = array;
      this.offset = offset;
      this.length = length;
      return this;
    }
  }

  /** A ParquetWriter over held rows of one {@link ParquetShape}. */
  static final class Builder extends ParquetWriter.Builder<HeldRow, Builder> {
    private final ParquetShape shape;

    Builder(OutputFile file, ParquetShape shape) {
      super(file);
      this.shape = shape;
    }

    @Override
    protected Builder self() {
      return this;
    }

    // Deprecated but abstract in parquet-java 1.18; the builder calls the ParquetConfiguration one.
    @Override
    protected WriteSupport<HeldRow> getWriteSupport(Configuration conf) {
      return new HeldRowWriteSupport(shape);
    }

    @Override
    protected WriteSupport<HeldRow> getWriteSupport(ParquetConfiguration conf) {
      return new HeldRowWriteSupport(shape);
    }
  }

  /** The footer key parquet-avro stores the Avro schema under (package-private there). */
  static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

  private final ParquetShape shape;
  private RecordConsumer consumer;
  private BinaryDecoder decoder;

  /** String and bytes values are read into this buffer; Parquet copies what it keeps. */
  private ByteBuffer bytes = ByteBuffer.allocate(64);

  HeldRowWriteSupport(ParquetShape shape) {
    this.shape = shape;
  }

  @Override
  public String getName() {
    // parquet-avro's model name: the rows are Avro rows, and the footer stays what it was.
    return "avro";
  }

  // Deprecated but abstract in parquet-java 1.18; the shape needs no configuration either way.
  @Override
  public WriteContext init(Configuration configuration) {
    return init((ParquetConfiguration) null);
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return new WriteContext(shape.parquetSchema, shape.footerMetadata);
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(HeldRow row) {
    // The decoder may read up to the end of the array, not just the row: a varint read looks up to
    // 10 bytes ahead, and a decoder bounded by the row copies the row's last bytes into a new array
    // before its last field, on every row (6% of building a Parquet file in a harness profile). The
    // row's bytes are checked to be exactly what its fields consumed below.
    int readable = row.array.length - row.offset;
    decoder = DecoderFactory.get().binaryDecoder(row.array, row.offset, readable, decoder);
    try {
      consumer.startMessage();
      writeFields(shape.root);
      consumer.endMessage();
      if (readable - decoder.inputStream().available() != row.length) {
        throw new IOException("its fields did not end where the row ends");
      }
    } catch (IOException e) {
      // The bytes are in memory: a read failure means the held row is not the schema's encoding.
      throw new IllegalStateException(
          "Cannot read a held row: it does not match the file schema", e);
    }
  }

  private void writeFields(Slot[] fields) throws IOException {
    for (Slot field : fields) {
      if (field.nullBranch >= 0 && decoder.readIndex() == field.nullBranch) {
        continue; // AvroWriteSupport writes nothing for a null field
      }
      consumer.startField(field.name, field.index);
      writeValue(field);
      consumer.endField(field.name, field.index);
    }
  }

  private void writeValue(Slot slot) throws IOException {
    slot.kind.write(this, slot);
  }

  private void writeBinary() throws IOException {
    bytes = decoder.readBytes(bytes);
    consumer.addBinary(Binary.fromReusedByteArray(bytes.array(), 0, bytes.limit()));
  }

  /** A list group holding a repeated group of one element, each written if not null. */
  private void writeList(Slot list) throws IOException {
    Slot element = list.children[0];
    consumer.startGroup();
    long n = decoder.readArrayStart();
    if (n > 0) {
      consumer.startField(list.repeatedName, 0);
      for (; n > 0; n = decoder.arrayNext()) {
        for (long i = 0; i < n; i++) {
          consumer.startGroup();
          if (element.nullBranch < 0 || decoder.readIndex() != element.nullBranch) {
            consumer.startField(element.name, element.index);
            writeValue(element);
            consumer.endField(element.name, element.index);
          }
          consumer.endGroup();
        }
      }
      consumer.endField(list.repeatedName, 0);
    }
    consumer.endGroup();
  }

  /** A map group holding a repeated key/value group; a null value is left out. */
  private void writeMap(Slot map) throws IOException {
    Slot key = map.children[0];
    Slot value = map.children[1];
    consumer.startGroup();
    long n = decoder.readMapStart();
    if (n > 0) {
      consumer.startField(map.repeatedName, 0);
      for (; n > 0; n = decoder.mapNext()) {
        for (long i = 0; i < n; i++) {
          consumer.startGroup();
          consumer.startField(key.name, key.index);
          writeBinary();
          consumer.endField(key.name, key.index);
          if (value.nullBranch < 0 || decoder.readIndex() != value.nullBranch) {
            consumer.startField(value.name, value.index);
            writeValue(value);
            consumer.endField(value.name, value.index);
          }
          consumer.endGroup();
        }
      }
      consumer.endField(map.repeatedName, 0);
    }
    consumer.endGroup();
  }

  /**
   * How a value of each kind is read and written: one small method per kind, called through one
   * call site that sees many kinds, so the JIT compiles each on its own. A single switch over the
   * kinds made the JIT inline every Parquet column-writer path into one method, the costliest
   * compilation of a harness run (several seconds of compiler thread CPU).
   */
  enum Kind {
    BOOLEAN {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.addBoolean(w.decoder.readBoolean());
      }
    },
    INT {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.addInteger(w.decoder.readInt());
      }
    },
    LONG {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.addLong(w.decoder.readLong());
      }
    },
    FLOAT {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.addFloat(w.decoder.readFloat());
      }
    },
    DOUBLE {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.addDouble(w.decoder.readDouble());
      }
    },
    BINARY {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.writeBinary();
      }
    },
    RECORD {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.consumer.startGroup();
        w.writeFields(slot.children);
        w.consumer.endGroup();
      }
    },
    LIST {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.writeList(slot);
      }
    },
    MAP {
      @Override
      void write(HeldRowWriteSupport w, Slot slot) throws IOException {
        w.writeMap(slot);
      }
    };

    abstract void write(HeldRowWriteSupport w, Slot slot) throws IOException;
  }

  /**
   * One value position of the row: the Parquet field it fills (name and index in its group), the
   * union branch that encodes null ({@code -1}: not optional) and, for groups, what they hold.
   */
  static final class Slot {
    final String name;
    final int index;
    final int nullBranch;
    final Kind kind;

    /** Record fields; a list's element; a map's key and value. */
    final Slot[] children;

    /** Name of the repeated group of a list or map. */
    final String repeatedName;

    Slot(String name, int index, int nullBranch, Kind kind, Slot[] children, String repeatedName) {
      this.name = name;
      this.index = index;
      this.nullBranch = nullBranch;
      this.kind = kind;
      this.children = children;
      this.repeatedName = repeatedName;
    }
  }
}
