package io.redstage.connector.format;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaProjector;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.SchemaProjectorException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * schema.compatibility, with the meaning of Confluent's storage sinks. A record whose value schema
 * differs from its file's goes into that file when it is another version of the same schema (same
 * name, both versioned) on the side the mode allows, projected to the file's schema by Connect's
 * {@link SchemaProjector}; otherwise it needs a new file.
 *
 * <ul>
 *   <li>NONE: never projects (any change starts a new unit).
 *   <li>BACKWARD, FULL: files hold the newest version seen; an older record is projected up (a
 *       field it lacks gets the field's default, or null when optional without default); a newer
 *       record starts a new unit, and so does an older record with a value in a field the newer
 *       version removed (Connect's projector would drop that value: the table keeps the column).
 *   <li>FORWARD: files keep the version they were opened with; a newer record is projected down
 *       (fields the file lacks are dropped); an older record starts a new unit.
 * </ul>
 *
 * In every mode a projection that would write a value other than the record's own starts a new unit
 * instead: a number the file's type would round (int32 to float32, int64 to float32 or float64,
 * when the value does not convert back exactly; an exact one still projects), and a null where the
 * file's field is required (the projector would write its default). Confluent's sinks write those
 * projected.
 *
 * <p>A projection the projector refuses (a type change, a new required field without default,
 * another schema name) also starts a new unit. Projection depends only on the record and the file's
 * schema, and the file's schema on the unit's first record, so a replay with the same boundaries
 * writes the same bytes.
 */
public enum SchemaCompatibility {
  NONE,
  BACKWARD,
  FORWARD,
  FULL;

  public static SchemaCompatibility of(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }

  /**
   * {@code record} with its value projected to {@code fileSchema}, or null when this mode does not
   * let it into a file of that schema. Call only for a record with a value and a value schema other
   * than the file's.
   *
   * @throws DataException when the record's value does not match its own schema
   */
  SinkRecord project(Schema fileSchema, SinkRecord record) {
    Schema own = record.valueSchema();
    if (this == NONE
        || own == null
        || fileSchema == null
        || record.value() == null
        || own.version() == null
        || fileSchema.version() == null
        || !Objects.equals(own.name(), fileSchema.name())) {
      return null;
    }
    int newer = Integer.compare(own.version(), fileSchema.version());
    if (this == FORWARD ? newer <= 0 : newer >= 0) {
      return null;
    }
    Object value;
    try {
      if (changesValues(own, record.value(), fileSchema, this == FORWARD)) {
        // the file's schema cannot hold one of the record's values as it is (a field the newer
        // version removed, a number its type would round, a null its required field would turn
        // into the default): the record opens a unit of its own version, where it is written as
        // it is, rather than have the file's schema change it without a word. FORWARD drops the
        // fields its older files lack by definition.
        return null;
      }
      value = SchemaProjector.project(own, record.value(), fileSchema);
      restoreNulls(own, record.value(), fileSchema, value);
    } catch (SchemaProjectorException e) {
      return null;
    } catch (RuntimeException e) {
      // The projector walks the value by its schema (casts to Struct, List, Number, looks fields up
      // by name): a value that does not match its own schema fails there, and that is the record's
      // fault, not a reason to start a new unit. Only the exception's class: its message may quote
      // the value.
      throw new DataException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + ": its value does not match its value schema "
              + own.name()
              + " version "
              + own.version()
              + " ("
              + e.getClass().getSimpleName()
              + " while projecting it to version "
              + fileSchema.version()
              + " for schema.compatibility="
              + this
              + "). Fix the producer or converter so that values match their schema.");
    }
    return record.newRecord(
        record.topic(),
        record.kafkaPartition(),
        record.keySchema(),
        record.key(),
        fileSchema,
        value,
        record.timestamp(),
        record.headers());
  }

  /**
   * Whether projecting {@code value} (of {@code source}) to {@code target} would write any value
   * other than the record's own, at any depth: a non-null value in a struct field the target lacks
   * (unless {@code dropsFields}: FORWARD drops those by definition), a number the promotion rounds
   * (int32 to float32, int64 to float32 or float64 beyond 2^24 or 2^53: the projector calls
   * floatValue/doubleValue; a map's keys rounded to one key also lose entries), or a null where the
   * target is required (the projector writes the target's default). Values are read as {@link
   * FieldValues} reads an unprojected record. Only what the projector would reach: a type or name
   * it refuses fails the projection anyway, so nothing is cast before the types agree.
   */
  private static boolean changesValues(
      Schema source, Object value, Schema target, boolean dropsFields) {
    if (value == null) {
      return source.isOptional() && !target.isOptional();
    }
    if (!Objects.equals(source.name(), target.name())) {
      return false;
    }
    switch (source.type()) {
      case STRUCT:
        if (target.type() != Schema.Type.STRUCT) {
          return false;
        }
        Struct from = (Struct) value;
        for (Field field : source.fields()) {
          Object raw = from.getWithoutDefault(field.name());
          Object written =
              raw != null || field.schema().isOptional() ? raw : field.schema().defaultValue();
          Field kept = target.field(field.name());
          if (kept == null
              ? written != null && !dropsFields
              : changesValues(field.schema(), written, kept.schema(), dropsFields)) {
            return true;
          }
        }
        return false;
      case ARRAY:
        if (target.type() != Schema.Type.ARRAY) {
          return false;
        }
        for (Object item : (List<?>) value) {
          if (changesValues(source.valueSchema(), item, target.valueSchema(), dropsFields)) {
            return true;
          }
        }
        return false;
      case MAP:
        if (target.type() != Schema.Type.MAP) {
          return false;
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          if (changesValues(source.keySchema(), e.getKey(), target.keySchema(), dropsFields)
              || changesValues(
                  source.valueSchema(), e.getValue(), target.valueSchema(), dropsFields)) {
            return true;
          }
        }
        return false;
      case INT32:
        return target.type() == Schema.Type.FLOAT32 && !exactInFloat(((Number) value).intValue());
      case INT64:
        if (target.type() == Schema.Type.FLOAT32) {
          return !exactInFloat(((Number) value).longValue());
        }
        return target.type() == Schema.Type.FLOAT64 && !exactInDouble(((Number) value).longValue());
      default:
        // int8 and int16 fit a float32 exactly, int32 and float32 a float64; other types are
        // not converted
        return false;
    }
  }

  // The bounds: (int) and (long) casts saturate, so 2^31 and 2^63 would read back as the
  // maximum int or long they are not.

  private static boolean exactInFloat(int n) {
    float f = n;
    return f < 0x1p31f && (int) f == n;
  }

  private static boolean exactInFloat(long n) {
    float f = n;
    return f < 0x1p63f && (long) f == n;
  }

  private static boolean exactInDouble(long n) {
    double d = n;
    return d < 0x1p63 && (long) d == n;
  }

  /**
   * Puts back the explicit nulls of optional fields, at any depth. Connect's projector reads each
   * field with {@link Struct#get(Field)}, which hands out the field's default for a null, so a null
   * the converter kept (JsonConverter's {@code replace.null.with.default=false}, Debezium) was
   * written as the default whenever its record was projected, and as null when it was not ({@link
   * FieldValues}).
   */
  private static void restoreNulls(Schema source, Object value, Schema target, Object projected) {
    if (value == null || projected == null) {
      return;
    }
    switch (target.type()) {
      case STRUCT:
        Struct from = (Struct) value;
        Struct to = (Struct) projected;
        for (Field field : target.fields()) {
          Field sourceField = source.field(field.name());
          if (sourceField == null) {
            continue;
          }
          Object raw = from.getWithoutDefault(field.name());
          if (raw == null && field.schema().isOptional()) {
            to.put(field, null);
          } else {
            restoreNulls(
                sourceField.schema(), raw, field.schema(), to.getWithoutDefault(field.name()));
          }
        }
        break;
      case ARRAY:
        List<?> items = (List<?>) value;
        List<?> projectedItems = (List<?>) projected;
        for (int i = 0; i < items.size(); i++) {
          restoreNulls(
              source.valueSchema(), items.get(i), target.valueSchema(), projectedItems.get(i));
        }
        break;
      case MAP:
        Map<?, ?> projectedMap = (Map<?, ?>) projected;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          // the projector keyed its map by the projected key, which projecting again gives
          Object key = SchemaProjector.project(source.keySchema(), e.getKey(), target.keySchema());
          restoreNulls(
              source.valueSchema(), e.getValue(), target.valueSchema(), projectedMap.get(key));
        }
        break;
      default:
        break;
    }
  }
}
