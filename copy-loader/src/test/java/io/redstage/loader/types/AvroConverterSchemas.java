package io.redstage.loader.types;

import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Connect schemas shaped as Confluent's AvroConverter (AvroData.toConnectSchema) builds them from
 * Schema Registry Avro types. Confluent's artifacts are not on Maven Central, so the shapes are
 * rebuilt here from AvroData's documented behaviour:
 *
 * <ul>
 *   <li>enum: STRING named after the enum, with parameters {@code io.confluent.connect.avro.Enum} =
 *       full name and {@code io.confluent.connect.avro.Enum.<symbol>} = symbol;
 *   <li>union (other than null + one type): STRUCT named {@code io.confluent.connect.avro.Union},
 *       one optional field per branch named after the branch type ({@code string}, {@code int}) or
 *       the record's simple name; optional when null is a branch;
 *   <li>fixed: BYTES named after the fixed type with parameter {@code connect.fixed.size};
 *   <li>decimal: Connect Decimal with parameter {@code connect.decimal.precision} (left out when
 *       the precision is 64, AvroData's default);
 *   <li>date, time-millis, timestamp-millis: Connect's Date, Time, Timestamp;
 *   <li>time-micros, timestamp-micros, uuid: plain INT64 / STRING: AvroData keeps no logical type
 *       for them;
 *   <li>map with non-string keys: an Avro array of key/value records, which becomes a Connect MAP
 *       with that key schema;
 *   <li>a field with an Avro default: the default on the field schema plus parameter {@code
 *       io.confluent.connect.avro.field.default=true}; Avro properties starting with {@code avro}
 *       ({@code avro.java.string}) become parameters.
 * </ul>
 */
final class AvroConverterSchemas {
  static final String ENUM = "io.confluent.connect.avro.Enum";
  static final String UNION = "io.confluent.connect.avro.Union";
  static final String FIXED_SIZE = "connect.fixed.size";
  static final String DECIMAL_PRECISION = "connect.decimal.precision";
  static final String FIELD_DEFAULT = "io.confluent.connect.avro.field.default";

  private AvroConverterSchemas() {}

  static SchemaBuilder enumeration(String fullName, String... symbols) {
    SchemaBuilder b = SchemaBuilder.string().name(fullName).parameter(ENUM, fullName);
    for (String symbol : symbols) {
      b.parameter(ENUM + "." + symbol, symbol);
    }
    return b;
  }

  /** A union of the given branches (field name to branch schema, in order). */
  static SchemaBuilder union(Map<String, Schema> branches) {
    SchemaBuilder b = SchemaBuilder.struct().name(UNION);
    branches.forEach(b::field);
    return b;
  }

  static SchemaBuilder fixed(String fullName, int size) {
    return SchemaBuilder.bytes().name(fullName).parameter(FIXED_SIZE, Integer.toString(size));
  }

  static SchemaBuilder decimal(int precision, int scale) {
    SchemaBuilder b = Decimal.builder(scale);
    return precision == 64 ? b : b.parameter(DECIMAL_PRECISION, Integer.toString(precision));
  }

  /** A string a Java SpecificRecord producer registered ({@code "avro.java.string": "String"}). */
  static SchemaBuilder javaString() {
    return SchemaBuilder.string().parameter("avro.java.string", "String");
  }

  /** A field schema with an Avro default, as AvroData marks it. */
  static SchemaBuilder withDefault(SchemaBuilder b, Object value) {
    return b.defaultValue(value).parameter(FIELD_DEFAULT, "true");
  }

  /** A union value with {@code branch} set to {@code value}, the other branches null. */
  static Struct unionValue(Schema union, String branch, Object value) {
    return new Struct(union).put(branch, value);
  }
}
