package io.redstage.connector.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Writes rows held in their Avro binary encoding ({@link RowStore}) into Parquet: each encoding is
 * read once, straight into Parquet's {@link RecordConsumer}, with the same calls in the same order
 * that parquet-avro's {@link AvroWriteSupport} makes for the decoded row (a null field is skipped,
 * lists in the 3-level layout, map entries in their encoded order), and the file carries the same
 * footer metadata (the Avro schema, model name "avro"). So a file is byte-identical to one written
 * through parquet-avro from the decoded rows, and the Parquet schema still comes from
 * parquet-avro's {@link AvroSchemaConverter}.
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

  /** A ParquetWriter over held rows of one {@link Shape}. */
  static final class Builder extends ParquetWriter.Builder<HeldRow, Builder> {
    private final Shape shape;

    Builder(OutputFile file, Shape shape) {
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

  private final Shape shape;
  private RecordConsumer consumer;
  private BinaryDecoder decoder;

  /** String and bytes values are read into this buffer; Parquet copies what it keeps. */
  private ByteBuffer bytes = ByteBuffer.allocate(64);

  HeldRowWriteSupport(Shape shape) {
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

    private Slot(
        String name, int index, int nullBranch, Kind kind, Slot[] children, String repeatedName) {
      this.name = name;
      this.index = index;
      this.nullBranch = nullBranch;
      this.kind = kind;
      this.children = children;
      this.repeatedName = repeatedName;
    }
  }

  /**
   * What every file of one Avro row schema shares: the Parquet schema parquet-avro derives from it
   * (3-level lists), its footer metadata and the slots to write. Immutable; made once per {@link
   * RowLayout}, so opening a Parquet file does not convert the schema again.
   */
  static final class Shape {
    final MessageType parquetSchema;
    final Map<String, String> footerMetadata;
    final Slot[] root;
    final DictionaryExclusions dictionaryExclusions;

    /**
     * @param dictionaryExcludedColumns names of the columns to write without dictionary encoding
     *     (see {@link DictionaryExclusions})
     */
    Shape(Schema avroSchema, List<String> dictionaryExcludedColumns) {
      PlainParquetConfiguration conf = new PlainParquetConfiguration();
      // The 3-level LIST layout of the Parquet spec; the legacy 2-level one cannot hold null
      // elements.
      conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
      this.parquetSchema = new AvroSchemaConverter(conf).convert(avroSchema);
      this.footerMetadata = Map.of(AVRO_SCHEMA_KEY, avroSchema.toString());
      this.root = fields(parquetSchema, avroSchema);
      this.dictionaryExclusions = DictionaryExclusions.of(parquetSchema, dictionaryExcludedColumns);
    }

    private static Slot[] fields(GroupType group, Schema record) {
      List<Schema.Field> fields = record.getFields();
      Slot[] slots = new Slot[fields.size()];
      for (int i = 0; i < slots.length; i++) {
        Type type = group.getType(i);
        slots[i] = slot(type.getName(), i, type, fields.get(i).schema());
      }
      return slots;
    }

    private static Slot slot(String name, int index, Type type, Schema avro) {
      int nullBranch = -1;
      Schema value = avro;
      if (avro.getType() == Schema.Type.UNION) {
        List<Schema> branches = avro.getTypes();
        if (branches.size() != 2 || nullIndex(branches) < 0) {
          throw unsupported(avro);
        }
        nullBranch = nullIndex(branches);
        value = branches.get(1 - nullBranch);
      }
      switch (value.getType()) {
        case BOOLEAN:
          return primitive(name, index, nullBranch, Kind.BOOLEAN);
        case INT:
          return primitive(name, index, nullBranch, Kind.INT);
        case LONG:
          return primitive(name, index, nullBranch, Kind.LONG);
        case FLOAT:
          return primitive(name, index, nullBranch, Kind.FLOAT);
        case DOUBLE:
          return primitive(name, index, nullBranch, Kind.DOUBLE);
        case STRING:
        case BYTES:
          return primitive(name, index, nullBranch, Kind.BINARY);
        case RECORD:
          return new Slot(
              name, index, nullBranch, Kind.RECORD, fields(type.asGroupType(), value), null);
        case ARRAY:
          {
            GroupType repeated = type.asGroupType().getType(0).asGroupType();
            Type element = repeated.getType(0);
            Slot[] children = {slot(element.getName(), 0, element, value.getElementType())};
            return new Slot(name, index, nullBranch, Kind.LIST, children, repeated.getName());
          }
        case MAP:
          {
            GroupType repeated = type.asGroupType().getType(0).asGroupType();
            Type key = repeated.getType(0);
            Type mapValue = repeated.getType(1);
            Slot[] children = {
              primitive(key.getName(), 0, -1, Kind.BINARY),
              slot(mapValue.getName(), 1, mapValue, value.getValueType())
            };
            return new Slot(name, index, nullBranch, Kind.MAP, children, repeated.getName());
          }
        default:
          throw unsupported(avro);
      }
    }

    private static Slot primitive(String name, int index, int nullBranch, Kind kind) {
      return new Slot(name, index, nullBranch, kind, null, null);
    }

    private static int nullIndex(List<Schema> branches) {
      for (int i = 0; i < branches.size(); i++) {
        if (branches.get(i).getType() == Schema.Type.NULL) {
          return i;
        }
      }
      return -1;
    }

    private static IllegalArgumentException unsupported(Schema avro) {
      return new IllegalArgumentException(
          "Cannot write the Avro type "
              + avro
              + " to Parquet from held rows: only the types the connector's row schemas use are"
              + " supported. This is a bug; report it with the record's value schema.");
    }
  }
}
