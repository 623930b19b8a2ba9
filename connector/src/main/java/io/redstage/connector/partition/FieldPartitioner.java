package io.redstage.connector.partition;

import io.redstage.connector.format.WarehouseLimits;
import io.redstage.contract.MarkerKeys;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * {@code <field>=<value>} for each configured field path, joined by the directory delimiter, e.g.
 * {@code country=DE/address.city=Berlin}. Names and values are {@link PathEncoding percent-encoded}
 * so a value cannot create extra path levels. Values must be strings, numbers or booleans (Connect
 * Date/Time/Timestamp values are written as ISO-8601); a missing or null field is a {@link
 * DataException} naming the record and the field.
 */
final class FieldPartitioner implements Partitioner {
  private static final String ADVICE =
      "Make sure every record has the fields of "
          + PartitionerSettings.FIELD_NAME_CONFIG
          + ", or send such records to a dead letter queue (errors.tolerance=all).";

  private final List<FieldPath> fields;
  private final List<String> purposes;
  private final List<String> encodedNames;
  private final String delim;

  FieldPartitioner(List<FieldPath> fields, String delim) {
    this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
    this.delim = delim;
    List<String> names = new ArrayList<>();
    List<String> by = new ArrayList<>();
    for (FieldPath f : fields) {
      names.add(PathEncoding.encode(f.path(), delim));
      by.add(" by field '" + f.path() + "'");
    }
    this.encodedNames = names;
    this.purposes = by;
  }

  @Override
  public String encodePartition(SinkRecord record, long nowMs) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      FieldPath.Resolved field = fields.get(i).resolve(record, purposes.get(i), ADVICE);
      if (i > 0) {
        path.append(delim);
      }
      path.append(encodedNames.get(i))
          .append('=')
          .append(PathEncoding.encode(text(field, record, purposes.get(i)), delim));
    }
    return path.toString();
  }

  private static String text(FieldPath.Resolved field, SinkRecord record, String purpose) {
    Object v = field.value;
    if (v instanceof String
        || v instanceof Boolean
        || v instanceof Byte
        || v instanceof Short
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Float
        || v instanceof Double) {
      return v.toString();
    }
    if (v instanceof BigDecimal) {
      long digits = WarehouseLimits.plainDigits((BigDecimal) v);
      if (digits > MarkerKeys.MAX_KEY_BYTES) {
        // 1e2147483647 has a short text but a plain one toPlainString cannot build
        throw new DataException(
            FieldPath.failure(record, purpose)
                + ": the field holds a number of "
                + digits
                + " digits, longer than an S3 key can be. Partition by a field holding a shorter value.");
      }
      return ((BigDecimal) v).toPlainString();
    }
    if (v instanceof BigInteger) {
      // a whole number too big for a long in schemaless JSON (ExactJsonConverter): a number all the
      // same; its digits came as text in the record, so writing them out again is cheap
      String digits = v.toString();
      if (digits.length() > MarkerKeys.MAX_KEY_BYTES) {
        throw new DataException(
            FieldPath.failure(record, purpose)
                + ": the field holds a number of "
                + digits.length()
                + " digits, longer than an S3 key can be. Partition by a field holding a shorter value.");
      }
      return digits;
    }
    if (v instanceof Date) {
      return dateText((Date) v, field.schema);
    }
    throw new DataException(
        FieldPath.failure(record, purpose)
            + ": the field holds a "
            + v.getClass().getSimpleName()
            + ", which cannot name a "
            + "directory. Partition by a field holding a string, number or boolean.");
  }

  private static String dateText(Date date, Schema schema) {
    Instant instant = date.toInstant();
    String logical = schema == null ? null : schema.name();
    if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
      return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
    if (Time.LOGICAL_NAME.equals(logical)) {
      return instant.atOffset(ZoneOffset.UTC).toLocalTime().toString();
    }
    return instant.toString();
  }

  @Override
  public String toString() {
    return "FieldPartitioner" + fields;
  }

  @Override
  public boolean readsValue() {
    return true;
  }
}
