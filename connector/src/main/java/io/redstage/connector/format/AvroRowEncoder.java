package io.redstage.connector.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;

/**
 * Encodes the Avro rows of one {@link RowLayout} in Avro binary, the bytes a {@link
 * GenericDatumWriter} over {@link GenericData#get()} writes for them (what the held rows of Parquet
 * and Avro files are, see {@link RowStore}).
 *
 * <p>Hand-written for cost, measured with {@code SinkBenchmark --target memory} (1M records of a
 * 10-field record plus the metadata columns): GenericDatumWriter took about 0.22 µs of the task
 * thread's 0.58 µs per record. It looks up a logical-type conversion for every value, resolves
 * every union by the value's type name, and its direct encoder hands most values to the buffer a
 * byte at a time. Here the columns are planned once per layout, and a primitive column, optional or
 * not, is appended straight into the {@link RowBuffer} with Avro's own {@code BinaryData} encoders.
 * A column holding a record, an array or a map is still written by a GenericDatumWriter for its
 * schema. No conversions are registered with {@code GenericData.get()}, so a value of a logical
 * type is already in its Avro form ({@link ConnectAvroValues}) and is written as its base type, as
 * GenericDatumWriter would write it. Immutable; used by the thread that encodes the rows.
 */
final class AvroRowEncoder {
  private final Column[] columns;
  private final boolean hasNested;

  AvroRowEncoder(Schema rowSchema) {
    List<Schema.Field> fields = rowSchema.getFields();
    columns = new Column[fields.size()];
    boolean nested = false;
    for (int i = 0; i < columns.length; i++) {
      columns[i] = column(fields.get(i).schema());
      nested |= columns[i] instanceof Nested;
    }
    hasNested = nested;
  }

  /** Whether {@link #write} needs an encoder, for columns holding records, arrays or maps. */
  boolean writesNested() {
    return hasNested;
  }

  /**
   * Appends the encoding of {@code row} to {@code out}. {@code nested} must be a direct binary
   * encoder over {@code out} when {@link #writesNested()}, and may be null otherwise. Throws a
   * RuntimeException for a value that does not fit its column (as GenericDatumWriter does), after
   * which {@code out} holds a partial row.
   */
  void write(IndexedRecord row, RowBuffer out, Encoder nested) throws IOException {
    for (int i = 0; i < columns.length; i++) {
      columns[i].write(row.get(i), out, nested);
    }
  }

  private static Column column(Schema schema) {
    Primitive primitive = Primitive.of(schema.getType());
    if (primitive != null) {
      return primitive;
    }
    List<Schema> branches = schema.isUnion() ? schema.getTypes() : List.of();
    if (branches.size() == 2) {
      int nullIndex = branches.get(0).getType() == Schema.Type.NULL ? 0 : 1;
      Primitive value = Primitive.of(branches.get(1 - nullIndex).getType());
      if (branches.get(nullIndex).getType() == Schema.Type.NULL && value != null) {
        return new Optional(nullIndex, 1 - nullIndex, value);
      }
    }
    return new Nested(schema);
  }

  private interface Column {
    void write(Object value, RowBuffer out, Encoder nested) throws IOException;
  }

  /** The types appended directly; the casts are GenericDatumWriter's. */
  private enum Primitive implements Column {
    BOOLEAN {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroBoolean((Boolean) value);
      }
    },
    INT {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroInt(((Number) value).intValue());
      }
    },
    LONG {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroLong(((Number) value).longValue());
      }
    },
    FLOAT {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroFloat(((Number) value).floatValue());
      }
    },
    DOUBLE {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroDouble(((Number) value).doubleValue());
      }
    },
    STRING {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        if (value instanceof Utf8) {
          Utf8 utf8 = (Utf8) value;
          out.avroBytes(utf8.getBytes(), 0, utf8.getByteLength());
        } else {
          byte[] bytes = ((CharSequence) value).toString().getBytes(StandardCharsets.UTF_8);
          out.avroBytes(bytes, 0, bytes.length);
        }
      }
    },
    BYTES {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        ByteBuffer bytes = (ByteBuffer) value;
        int length = bytes.remaining();
        if (bytes.hasArray()) {
          out.avroBytes(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
        } else {
          byte[] copy = new byte[length];
          bytes.duplicate().get(copy);
          out.avroBytes(copy, 0, length);
        }
      }
    };

    static Primitive of(Schema.Type type) {
      switch (type) {
        case BOOLEAN:
          return BOOLEAN;
        case INT:
          return INT;
        case LONG:
          return LONG;
        case FLOAT:
          return FLOAT;
        case DOUBLE:
          return DOUBLE;
        case STRING:
          return STRING;
        case BYTES:
          return BYTES;
        default:
          return null;
      }
    }
  }

  /** A {@code [null, X]} union of a primitive X: the branch index, then the value if not null. */
  private static final class Optional implements Column {
    private final int nullIndex;
    private final int valueIndex;
    private final Primitive value;

    Optional(int nullIndex, int valueIndex, Primitive value) {
      this.nullIndex = nullIndex;
      this.valueIndex = valueIndex;
      this.value = value;
    }

    @Override
    public void write(Object v, RowBuffer out, Encoder nested) throws IOException {
      if (v == null) {
        out.avroInt(nullIndex);
      } else {
        out.avroInt(valueIndex);
        value.write(v, out, nested);
      }
    }
  }

  /** Any other column (record, array, map, or a union holding one): Avro's own writer. */
  private static final class Nested implements Column {
    private final GenericDatumWriter<Object> writer;

    Nested(Schema schema) {
      this.writer = new GenericDatumWriter<>(schema, GenericData.get());
    }

    @Override
    public void write(Object value, RowBuffer out, Encoder nested) throws IOException {
      writer.write(value, nested);
    }
  }
}
