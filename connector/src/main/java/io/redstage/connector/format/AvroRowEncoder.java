package io.redstage.connector.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
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
 * schema. A value of a logical type is already in its Avro form ({@link ConnectAvroValues}:
 * Integer, Long or ByteBuffer) and is written as its base type: GenericDatumWriter looks a
 * conversion up by the value's class, and Avro has none from those classes. Immutable; used by the
 * thread that encodes the rows.
 */
final class AvroRowEncoder {
  /** A column's value that its encoding refused, by the column's name. */
  static final class RejectedColumn extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String column;

    RejectedColumn(String column, RuntimeException cause) {
      super(
          "column " + column + " refused its value (" + cause.getClass().getSimpleName() + ")",
          cause);
      this.column = column;
    }

    String column() {
      return column;
    }
  }

  private final Column[] columns;
  private final String[] names;
  private final boolean hasNested;

  AvroRowEncoder(Schema rowSchema) {
    List<Schema.Field> fields = rowSchema.getFields();
    columns = new Column[fields.size()];
    names = new String[fields.size()];
    boolean nested = false;
    for (int i = 0; i < columns.length; i++) {
      names[i] = fields.get(i).name();
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
   * encoder over {@code out} when {@link #writesNested()}, and may be null otherwise. Throws {@link
   * RejectedColumn} for a value GenericDatumWriter would refuse too, after which {@code out} holds
   * a partial row.
   */
  void write(IndexedRecord row, RowBuffer out, Encoder nested) throws IOException {
    for (int i = 0; i < columns.length; i++) {
      try {
        columns[i].write(row.get(i), out, nested);
      } catch (RuntimeException e) {
        throw new RejectedColumn(names[i], e);
      }
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
        return new NullablePrimitive(schema, nullIndex, 1 - nullIndex, value);
      }
    }
    return new Nested(schema);
  }

  private interface Column {
    void write(Object value, RowBuffer out, Encoder nested) throws IOException;
  }

  /**
   * The types appended directly. Outside a union the casts are GenericDatumWriter's (an Integer in
   * a long column is written, a String is refused); inside one, {@link #takes} is the class test
   * its union resolution makes.
   */
  private enum Primitive implements Column {
    BOOLEAN(Boolean.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroBoolean((Boolean) value);
      }
    },
    INT(Integer.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroInt(((Number) value).intValue());
      }
    },
    LONG(Long.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroLong(((Number) value).longValue());
      }
    },
    FLOAT(Float.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroFloat(((Number) value).floatValue());
      }
    },
    DOUBLE(Double.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        out.avroDouble(((Number) value).doubleValue());
      }
    },
    STRING(CharSequence.class) {
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
    BYTES(ByteBuffer.class) {
      @Override
      public void write(Object value, RowBuffer out, Encoder nested) {
        ByteBuffer bytes = (ByteBuffer) value;
        int length = bytes.remaining();
        if (bytes.hasArray()) {
          out.avroBytes(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
        } else {
          out.avroBytes(ValueChecks.bytes(bytes), 0, length);
        }
      }
    };

    private final Class<?> resolvedClass;

    Primitive(Class<?> resolvedClass) {
      this.resolvedClass = resolvedClass;
    }

    /** Whether a union holding this type resolves {@code value} to it. */
    boolean takes(Object value) {
      return resolvedClass.isInstance(value);
    }

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
  private static final class NullablePrimitive implements Column {
    private final Schema union;
    private final int nullIndex;
    private final int valueIndex;
    private final Primitive value;

    NullablePrimitive(Schema union, int nullIndex, int valueIndex, Primitive value) {
      this.union = union;
      this.nullIndex = nullIndex;
      this.valueIndex = valueIndex;
      this.value = value;
    }

    @Override
    public void write(Object v, RowBuffer out, Encoder nested) throws IOException {
      if (v == null) {
        out.avroInt(nullIndex);
      } else if (value.takes(v)) {
        out.avroInt(valueIndex);
        value.write(v, out, nested);
      } else {
        throw new UnresolvedUnionException(union, v);
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
