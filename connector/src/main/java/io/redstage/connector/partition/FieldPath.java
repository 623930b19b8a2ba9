package io.redstage.connector.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A dotted path into a record value ("address.city"), resolved through Connect Structs (values with a schema) and
 * Maps (schemaless values, e.g. JsonConverter with schemas.enable=false).
 */
final class FieldPath {
  private final String path;
  private final List<String> segments;

  private FieldPath(String path) {
    this.path = path;
    this.segments = Collections.unmodifiableList(Arrays.asList(path.split("\\.", -1)));
  }

  /** @throws IllegalArgumentException for an empty path or an empty segment ("a..b") */
  static FieldPath parse(String path) {
    if (path == null || path.trim().isEmpty()) {
      throw new IllegalArgumentException("the field path is empty");
    }
    FieldPath p = new FieldPath(path.trim());
    if (p.segments.contains("")) {
      throw new IllegalArgumentException("the field path '" + path + "' has an empty segment");
    }
    return p;
  }

  String path() {
    return path;
  }

  /** A resolved field: its value (never null) and its schema (null for schemaless values). */
  static final class Resolved {
    final Object value;
    final Schema schema;

    Resolved(Object value, Schema schema) {
      this.value = value;
      this.schema = schema;
    }
  }

  /**
   * Resolves the path in the record's value.
   *
   * @param failure "Cannot ..." prefix of the error message, e.g. "Cannot partition record t/0/5"
   * @param advice  the last sentence of the error message: what the user can do
   * @throws DataException when the value is null, a segment is missing, null, or not a struct/map
   */
  Resolved resolve(SinkRecord record, String failure, String advice) {
    Object current = record.value();
    Schema schema = record.valueSchema();
    if (current == null) {
      throw new DataException(failure + ": the record has no value (a tombstone), so it has no field '" + path + "'. "
          + advice);
    }
    List<String> walked = new ArrayList<>();
    for (String segment : segments) {
      String where = walked.isEmpty() ? "the value" : "field '" + String.join(".", walked) + "'";
      walked.add(segment);
      if (current instanceof Struct) {
        Struct struct = (Struct) current;
        Field field = struct.schema().field(segment);
        if (field == null) {
          throw new DataException(failure + ": field '" + path + "' is missing: " + where + " has the fields "
              + struct.schema().fields().stream().map(Field::name).collect(Collectors.toList()) + ". " + advice);
        }
        current = struct.get(field);
        schema = field.schema();
      } else if (current instanceof Map) {
        Map<?, ?> map = (Map<?, ?>) current;
        if (!map.containsKey(segment)) {
          throw new DataException(failure + ": field '" + path + "' is missing: " + where + " has the keys "
              + map.keySet() + ". " + advice);
        }
        current = map.get(segment);
        schema = null;
      } else {
        throw new DataException(failure + ": field '" + path + "' cannot be read: " + where + " is a "
            + current.getClass().getSimpleName() + ", not a struct or map. " + advice);
      }
      if (current == null) {
        throw new DataException(failure + ": field '" + String.join(".", walked) + "' is null. " + advice);
      }
    }
    return new Resolved(current, schema);
  }

  @Override
  public String toString() {
    return path;
  }
}
