package io.redstage.connector.format;

import com.fasterxml.jackson.core.StreamWriteConstraints;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts Connect schemas into the Avro row schema written by the Parquet and Avro writers, plus
 * the marker column list. INT8/INT16/INT32 → int, INT64 → long, Decimal → bytes decimal(p,s), Date
 * → date, Time → time-millis, Timestamp → timestamp-millis|micros, Struct → record, Array → array,
 * Map with string keys → map, other maps → array of {key, value} records; optional → union with
 * null.
 *
 * <p>Layouts are cached by the identity of the value and key schemas: converters hand out the same
 * schema instance for every record of a schema version, so thousands of files share one layout.
 */
final class ConnectAvroSchemas {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectAvroSchemas.class);
  static final String ROW_RECORD_NAME = "connect_row";
  private static final int CACHE_ENTRIES = 256;

  /**
   * How deep Avro may nest a schema's JSON text: Jackson's default write limit, which Avro's own
   * JsonFactory keeps and checks whenever the text is written (the Avro size check in build, the
   * Avro file's header, the Parquet footer's avro.schema). Past it Avro throws
   * AvroRuntimeException, which no bad-record handling expects: the task stopped on every restart.
   */
  private static final int MAX_SCHEMA_TEXT_DEPTH =
      StreamWriteConstraints.defaults().getMaxNestingDepth();

  /** What to do about a schema nested too deep. */
  static final String FLATTEN =
      "Flatten it at the source or with an SMT (Flatten, ReplaceField), or use format.class=jsonl.";

  /** A row field's type is written inside the row's object, its "fields" array and the field's. */
  private static final int ROW_FIELD_DEPTH = 3;

  private final FileFormat format;
  private final FormatOptions options;
  private final MetadataColumns metadata;
  private final ColumnNames columnNames;
  private final Map<SchemaPair, RowLayout> cache =
      new LinkedHashMap<SchemaPair, RowLayout>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<SchemaPair, RowLayout> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  ConnectAvroSchemas(FileFormat format, MetadataColumns metadata, ColumnNames columnNames) {
    this.format = format;
    this.options = metadata.options();
    this.metadata = metadata;
    this.columnNames = columnNames;
  }

  /**
   * The layout of a file whose first record is {@code first}, which must have a value schema.
   *
   * @throws org.apache.kafka.connect.errors.DataException when the schema cannot be written
   */
  RowLayout layout(SinkRecord first) {
    Schema value = first.valueSchema();
    Schema keyStruct =
        options.keyColumnEnabled() && MetadataColumns.isStructKey(first.keySchema())
            ? first.keySchema()
            : null;
    SchemaPair pair = new SchemaPair(value, keyStruct);
    synchronized (cache) {
      RowLayout cached = cache.get(pair);
      if (cached != null) {
        return cached;
      }
    }
    RowLayout built = build(value, keyStruct, first);
    synchronized (cache) {
      cache.put(pair, built);
    }
    return built;
  }

  private RowLayout build(Schema value, Schema keyStruct, SinkRecord first) {
    AvroNames names = new AvroNames();
    names.record(ROW_RECORD_NAME);
    List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
    List<MarkerColumn> columns = new ArrayList<>();
    boolean flattened = value.type() == Schema.Type.STRUCT;
    try {
      if (flattened) {
        Map<String, String> seen = new HashMap<>();
        for (Field f : value.fields()) {
          String name = columnNames.column(f.name(), first, format);
          String other = seen.putIfAbsent(ColumnNames.fold(name), f.name());
          if (other != null) {
            throw ColumnNames.sameColumn(first, format, f.name(), other, name);
          }
          metadata.checkNoClash(name, first, format);
          try {
            checkNesting(f.schema(), f.schema().isOptional());
            fields.add(field(name, avro(f.schema(), names, name)));
          } catch (ConversionException e) {
            throw e.inField(f.name());
          }
          columns.add(
              new MarkerColumn(
                  name,
                  ConnectTypes.columnType(f.schema(), options.timestampUnit()),
                  f.schema().isOptional()));
        }
      } else {
        String name = columnNames.column("value", first, format);
        metadata.checkNoClash(name, first, format);
        checkNesting(value, value.isOptional());
        fields.add(field(name, avro(value, names, name)));
        columns.add(
            new MarkerColumn(
                name, ConnectTypes.columnType(value, options.timestampUnit()), value.isOptional()));
      }
    } catch (ConversionException e) {
      throw RecordErrors.conversion(first, format, "value schema", e);
    }
    int metadataIndex = fields.size();
    addMetadataFields(fields, keyStruct, names, first);
    if (fields.isEmpty()) {
      throw RecordErrors.cannotWrite(
          first,
          format,
          "the value struct has no fields and no metadata columns are "
              + "enabled, so the row would have no columns",
          "Enable the metadata columns or fix the value schema.");
    }
    columns.addAll(metadata.columns(keyStruct != null));
    WarehouseLimits.columnCount(first, format, columns.size());
    org.apache.avro.Schema row =
        org.apache.avro.Schema.createRecord(ROW_RECORD_NAME, null, null, false, fields);
    if (format == FileFormat.AVRO) {
      WarehouseLimits.avroSchemaBytes(
          first, row.toString().getBytes(StandardCharsets.UTF_8).length);
    }
    if (format != FileFormat.PARQUET) {
      return new RowLayout(value, flattened, keyStruct, row, metadataIndex, columns, null);
    }
    ParquetShape shape = new ParquetShape(row, dictionaryExcludedColumns());
    checkParquetLevels(shape, first);
    warnUnmatched(shape.dictionaryExclusions, first);
    return new RowLayout(value, flattened, keyStruct, row, metadataIndex, columns, shape);
  }

  /**
   * A Parquet column's repetition and definition levels count the repeated and optional groups on
   * its path. parquet-java cannot read back a column whose levels pass 255 (an index out of
   * bounds), and building a file of about 990 nested lists overflowed the commit thread's stack, a
   * failure that came back with every replay. Such a schema is refused when its layout is built, as
   * a bad record, before any row is held.
   */
  static final int MAX_PARQUET_LEVEL = 255;

  private static void checkParquetLevels(ParquetShape shape, SinkRecord first) {
    for (org.apache.parquet.column.ColumnDescriptor c : shape.parquetSchema.getColumns()) {
      int level = Math.max(c.getMaxDefinitionLevel(), c.getMaxRepetitionLevel());
      if (level > MAX_PARQUET_LEVEL) {
        throw RecordErrors.cannotWrite(
            first,
            FileFormat.PARQUET,
            "column "
                + NamesInMessages.quoted(String.join(".", c.getPath()))
                + " nests "
                + level
                + " Parquet levels (lists and optional fields), more than the "
                + MAX_PARQUET_LEVEL
                + " a Parquet reader takes",
            FLATTEN);
      }
    }
  }

  /** The configured columns plus the offset metadata column (see {@link DictionaryExclusions}). */
  private List<String> dictionaryExcludedColumns() {
    List<String> excluded = new ArrayList<>(options.parquetDictionaryExcludedColumns());
    if (options.metadataEnabled() && !excluded.contains(options.offsetColumn())) {
      excluded.add(options.offsetColumn());
    }
    return excluded;
  }

  /** Once per layout: a configured name that matches no column is most likely misspelt. */
  private static void warnUnmatched(DictionaryExclusions exclusions, SinkRecord first) {
    if (!exclusions.unmatched.isEmpty()) {
      LOG.warn(
          "Cannot exclude {} from Parquet dictionary encoding in the files of {} (schema of record {}):"
              + " the files have no such column. Their other columns are written as configured. If"
              + " the names belong to another topic's files, ignore this; otherwise correct them in"
              + " parquet.dictionary.excluded.columns.",
          exclusions.unmatched,
          first.topic(),
          KafkaCoordinates.describe(first));
    }
  }

  private void addMetadataFields(
      List<org.apache.avro.Schema.Field> fields,
      Schema keyStruct,
      AvroNames names,
      SinkRecord first) {
    if (options.metadataEnabled()) {
      fields.add(field(options.topicColumn(), primitive(org.apache.avro.Schema.Type.STRING)));
      fields.add(field(options.partitionColumn(), primitive(org.apache.avro.Schema.Type.INT)));
      fields.add(field(options.offsetColumn(), primitive(org.apache.avro.Schema.Type.LONG)));
      fields.add(field(options.timestampColumn(), nullable(timestamp())));
    }
    if (options.keyColumnEnabled()) {
      org.apache.avro.Schema key;
      try {
        if (keyStruct != null) {
          checkNesting(keyStruct, true); // the key column is nullable
        }
        key =
            keyStruct == null
                ? primitive(org.apache.avro.Schema.Type.STRING)
                : struct(keyStruct, names, options.keyColumn());
      } catch (ConversionException e) {
        throw RecordErrors.conversion(first, format, "key schema", e);
      }
      fields.add(field(options.keyColumn(), nullable(key)));
    }
    if (options.headersColumnEnabled()) {
      fields.add(
          field(
              options.headersColumn(),
              org.apache.avro.Schema.createMap(
                  nullable(primitive(org.apache.avro.Schema.Type.STRING)))));
    }
    if (options.deleteMarkers()) {
      fields.add(field(options.deletedColumn(), primitive(org.apache.avro.Schema.Type.BOOLEAN)));
    }
  }

  /**
   * Measured before the conversion, so that neither it nor Avro's writer meets a schema they cannot
   * take: the depth is counted, not caught, and the count stops at the limit.
   *
   * @throws ConversionException when the Avro schema of {@code s}, as a row field's type, would
   *     nest deeper than Avro may write it
   */
  private static void checkNesting(Schema s, boolean optional) {
    if (nestsTooDeep(s, optional, ROW_FIELD_DEPTH)) {
      throw new ConversionException(
          "is nested too deep for an Avro or Parquet schema (its Avro schema text would nest more "
              + "than "
              + MAX_SCHEMA_TEXT_DEPTH
              + " levels of JSON)",
          FLATTEN);
    }
  }

  /**
   * Whether the Avro text of {@link #avro}'s schema of {@code s} (a union with null when {@code
   * optional}), written inside a JSON container at {@code depth}, would open one deeper than {@link
   * #MAX_SCHEMA_TEXT_DEPTH}. Follows {@link #required} and Avro's Schema.toString: a union is an
   * array, an array or map an object, a record an object with a "fields" array of field objects, a
   * primitive with a logical type an object, a plain primitive a string. Record names made by
   * {@link AvroNames} are unique, so no record is written as a reference to an earlier one. Each
   * call goes at least one level deeper, so the recursion stops at the limit.
   */
  private static boolean nestsTooDeep(Schema s, boolean optional, int depth) {
    int d = optional ? depth + 1 : depth;
    if (d > MAX_SCHEMA_TEXT_DEPTH) {
      return true;
    }
    switch (s.type()) {
      case ARRAY:
        return nestsTooDeep(s.valueSchema(), s.valueSchema().isOptional(), d + 1);
      case MAP:
        if (ConnectTypes.hasStringKeys(s)) {
          return nestsTooDeep(s.valueSchema(), s.valueSchema().isOptional(), d + 1);
        }
        // an array of {key, value} records: array, record, "fields", field
        return nestsTooDeep(s.keySchema(), s.keySchema().isOptional(), d + 4)
            || nestsTooDeep(s.valueSchema(), s.valueSchema().isOptional(), d + 4);
      case STRUCT:
        if (d + (s.fields().isEmpty() ? 2 : 3) > MAX_SCHEMA_TEXT_DEPTH) {
          return true;
        }
        for (Field f : s.fields()) {
          if (nestsTooDeep(f.schema(), f.schema().isOptional(), d + 3)) {
            return true;
          }
        }
        return false;
      default:
        boolean logical =
            ConnectTypes.isDecimal(s)
                || ConnectTypes.isDate(s)
                || ConnectTypes.isTime(s)
                || ConnectTypes.isTimestamp(s);
        return logical && d + 1 > MAX_SCHEMA_TEXT_DEPTH;
    }
  }

  /** The Avro schema of a Connect schema; a union with null when optional. */
  private org.apache.avro.Schema avro(Schema s, AvroNames names, String path) {
    org.apache.avro.Schema base = required(s, names, path);
    return s.isOptional() ? nullable(base) : base;
  }

  private org.apache.avro.Schema required(Schema s, AvroNames names, String path) {
    switch (s.type()) {
      case INT8:
      case INT16:
        return primitive(org.apache.avro.Schema.Type.INT);
      case INT32:
        if (ConnectTypes.isDate(s)) {
          return LogicalTypes.date().addToSchema(primitive(org.apache.avro.Schema.Type.INT));
        }
        if (ConnectTypes.isTime(s)) {
          return LogicalTypes.timeMillis().addToSchema(primitive(org.apache.avro.Schema.Type.INT));
        }
        return primitive(org.apache.avro.Schema.Type.INT);
      case INT64:
        return ConnectTypes.isTimestamp(s)
            ? timestamp()
            : primitive(org.apache.avro.Schema.Type.LONG);
      case FLOAT32:
        return primitive(org.apache.avro.Schema.Type.FLOAT);
      case FLOAT64:
        return primitive(org.apache.avro.Schema.Type.DOUBLE);
      case BOOLEAN:
        return primitive(org.apache.avro.Schema.Type.BOOLEAN);
      case STRING:
        return primitive(org.apache.avro.Schema.Type.STRING);
      case BYTES:
        if (ConnectTypes.isDecimal(s)) {
          return LogicalTypes.decimal(
                  ConnectTypes.decimalPrecision(s), ConnectTypes.decimalScale(s))
              .addToSchema(primitive(org.apache.avro.Schema.Type.BYTES));
        }
        return primitive(org.apache.avro.Schema.Type.BYTES);
      case ARRAY:
        return org.apache.avro.Schema.createArray(element(s.valueSchema(), names, path + "_item"));
      case MAP:
        if (ConnectTypes.hasStringKeys(s)) {
          return org.apache.avro.Schema.createMap(element(s.valueSchema(), names, path + "_value"));
        }
        List<org.apache.avro.Schema.Field> entry = new ArrayList<>(2);
        entry.add(field("key", element(s.keySchema(), names, path + "_key")));
        entry.add(field("value", element(s.valueSchema(), names, path + "_value")));
        return org.apache.avro.Schema.createArray(
            org.apache.avro.Schema.createRecord(
                names.record(path + "_entry"), null, null, false, entry));
      case STRUCT:
        return struct(s, names, path);
      default:
        throw new ConversionException("has the unsupported Connect type " + s.type());
    }
  }

  private org.apache.avro.Schema element(Schema s, AvroNames names, String path) {
    try {
      return avro(s, names, path);
    } catch (ConversionException e) {
      throw e.inElement("*");
    }
  }

  private org.apache.avro.Schema struct(Schema s, AvroNames names, String path) {
    if (s.fields().isEmpty() && format == FileFormat.PARQUET) {
      throw new ConversionException(
          "is a struct without fields, which Parquet cannot store",
          "Give the struct a field in the producer's schema, drop the field with a ReplaceField SMT, or use "
              + "format.class=avro or jsonl.");
    }
    String recordName = names.record(path);
    List<org.apache.avro.Schema.Field> fields = new ArrayList<>(s.fields().size());
    Map<String, String> seen = new HashMap<>();
    for (Field f : s.fields()) {
      String name = uniqueFieldName(f.name(), seen);
      try {
        fields.add(field(name, avro(f.schema(), names, path + "_" + name)));
      } catch (ConversionException e) {
        throw e.inField(f.name());
      }
    }
    return org.apache.avro.Schema.createRecord(recordName, null, null, false, fields);
  }

  private static String uniqueFieldName(String connectName, Map<String, String> seen) {
    String name = AvroNames.field(connectName);
    String previous = seen.putIfAbsent(ColumnNames.fold(name), connectName);
    if (previous != null) {
      throw new ConversionException(
          "has fields '"
              + previous
              + "' and '"
              + connectName
              + "' that both become the column name '"
              + name
              + "' (names are case-insensitive in Redshift and "
              + "only letters, digits and '_' are kept)");
    }
    return name;
  }

  private org.apache.avro.Schema timestamp() {
    org.apache.avro.LogicalType t =
        options.timestampUnit() == TimestampUnit.MICROS
            ? LogicalTypes.timestampMicros()
            : LogicalTypes.timestampMillis();
    return t.addToSchema(primitive(org.apache.avro.Schema.Type.LONG));
  }

  private static org.apache.avro.Schema primitive(org.apache.avro.Schema.Type type) {
    return org.apache.avro.Schema.create(type);
  }

  private static org.apache.avro.Schema nullable(org.apache.avro.Schema s) {
    return org.apache.avro.Schema.createUnion(primitive(org.apache.avro.Schema.Type.NULL), s);
  }

  private static org.apache.avro.Schema.Field field(String name, org.apache.avro.Schema schema) {
    boolean nullable = schema.getType() == org.apache.avro.Schema.Type.UNION;
    return new org.apache.avro.Schema.Field(
        name, schema, null, nullable ? org.apache.avro.Schema.Field.NULL_DEFAULT_VALUE : null);
  }

  /** Cache key comparing both schemas by identity. */
  private static final class SchemaPair {
    private final Schema value;
    private final Schema key;

    SchemaPair(Schema value, Schema key) {
      this.value = value;
      this.key = key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SchemaPair
          && ((SchemaPair) o).value == value
          && ((SchemaPair) o).key == key;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(value) * 31 + System.identityHashCode(key);
    }
  }
}
