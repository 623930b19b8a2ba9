package io.redstage.connector.partition;

import io.redstage.connector.format.FieldValues;
import io.redstage.connector.format.KafkaCoordinates;
import io.redstage.connector.format.NamesInMessages;
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
 * A dotted path into a record value ("address.city"), resolved through Connect Structs (values with
 * a schema) and Maps (schemaless values, e.g. JsonConverter with schemas.enable=false).
 */
final class FieldPath {
  private final String path;
  private final List<String> segments;

  private FieldPath(String path) {
    this.path = path;
    this.segments = Collections.unmodifiableList(Arrays.asList(path.split("\\.", -1)));
  }

  /**
   * @throws IllegalArgumentException for an empty path or an empty segment ("a..b")
   */
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
   * @param purpose what the record is being partitioned by, e.g. " by fields"; the error message
   *     starts "Cannot partition record topic/partition/offset" + purpose, or for {@link #BY_TIME}
   *     "Cannot read the time of record topic/partition/offset" (built only on failure: hot path)
   * @param advice the last sentence of the error message: what the user can do
   * @throws DataException when the value is null, a segment is missing, null, or not a struct/map
   */
  Resolved resolve(SinkRecord record, String purpose, String advice) {
    Object current = record.value();
    Schema schema = record.valueSchema();
    if (current == null) {
      String failure = failure(record, purpose);
      throw new DataException(
          failure
              + ": the record has no value (a tombstone), so it has no field '"
              + path
              + "'. "
              + advice);
    }
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      if (current instanceof Struct) {
        Struct struct = (Struct) current;
        Field field = struct.schema().field(segment);
        if (field == null) {
          throw new DataException(
              failure(record, purpose)
                  + ": field '"
                  + path
                  + "' is missing: "
                  + parent(i)
                  + " has the fields "
                  + NamesInMessages.list(
                      struct.schema().fields().stream()
                          .map(Field::name)
                          .collect(Collectors.toList()))
                  + ". "
                  + advice);
        }
        // as the writers read it, so the path names the value the row holds (an explicit null in
        // an optional field with a default is null, not the default)
        current = FieldValues.of(struct, field);
        schema = field.schema();
      } else if (current instanceof Map) {
        Map<?, ?> map = (Map<?, ?>) current;
        if (!map.containsKey(segment)) {
          throw new DataException(
              failure(record, purpose)
                  + ": field '"
                  + path
                  + "' is missing: "
                  + parent(i)
                  + " has the keys "
                  + NamesInMessages.list(map.keySet())
                  + ". "
                  + advice);
        }
        current = map.get(segment);
        schema = null;
      } else {
        throw new DataException(
            failure(record, purpose)
                + ": field '"
                + path
                + "' cannot be read: "
                + parent(i)
                + " is a "
                + current.getClass().getSimpleName()
                + ", not a struct or map. "
                + advice);
      }
      if (current == null) {
        throw new DataException(
            failure(record, purpose)
                + ": field '"
                + String.join(".", segments.subList(0, i + 1))
                + "' is null. "
                + advice);
      }
    }
    return new Resolved(current, schema);
  }

  /** "the value" or "field 'a.b'": what holds segment {@code i}. */
  private String parent(int i) {
    return i == 0 ? "the value" : "field '" + String.join(".", segments.subList(0, i)) + "'";
  }

  static String failure(SinkRecord record, String purpose) {
    if (BY_TIME.equals(purpose)) {
      // the time extractor also serves rotate.interval.ms with the default partitioner, which does
      // not partition by time: say what failed, whatever the time was for
      return "Cannot read the time of record " + KafkaCoordinates.describe(record);
    }
    return "Cannot partition record " + KafkaCoordinates.describe(record) + purpose;
  }

  /** The purpose of a record's time (timestamp.extractor=RecordField), for {@link #failure}. */
  static final String BY_TIME = " by time";

  @Override
  public String toString() {
    return path;
  }
}
