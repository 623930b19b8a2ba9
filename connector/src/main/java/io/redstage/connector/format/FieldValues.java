package io.redstage.connector.format;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/** Reads a Struct's field values as the record holds them. */
public final class FieldValues {
  private FieldValues() {}

  /**
   * The value of {@code field} in {@code struct}. {@link Struct#get(Field)} hands out the schema's
   * default in place of a null, which would write the default for an explicit null in an optional
   * field, the null a converter set to keep nulls (JsonConverter's {@code
   * replace.null.with.default=false}, Debezium's CDC) means to deliver. A required field left unset
   * still reads as its default, as Connect's own validation takes it.
   */
  public static Object of(Struct struct, Field field) {
    Object value = struct.get(field);
    // Struct.get hands out the default instance itself: only then can the value be a substitute
    // (a look-up by name, so not for every value of such a field)
    if (value != null && value == field.schema().defaultValue() && field.schema().isOptional()) {
      return struct.getWithoutDefault(field.name());
    }
    return value;
  }
}
