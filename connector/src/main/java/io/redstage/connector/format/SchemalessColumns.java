package io.redstage.connector.format;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The value columns of one schemaless JSON Lines file: every top-level field its records carry, in
 * first-seen order, so the marker describes every value in the file. A Map value gives one column
 * per key; any other value (a number, a string, an array) goes to the column "value"; a tombstone
 * written as a delete row gives the fields of its key (Struct or Map). Names follow {@link
 * ColumnNames}.
 *
 * <p>Types come from the Java class of the values: String → string,
 * Integer/Long/Short/Byte/BigInteger → int64, Float/Double/BigDecimal → float64, Boolean → boolean,
 * Map/Struct → struct, List → array, byte[]/ByteBuffer → bytes, java.util.Date → timestamp; Struct
 * key fields by their schema. A column that held only nulls so far is a string. Types unify:
 * integers widen to the wider integer, integers and floats to float64; any other difference is a
 * conflict, and the record must start a new file ({@link RecordFormat#compatible} is false). So is
 * a field whose column differs from an existing column of this file only in case. All columns are
 * nullable: a record may lack any of them.
 */
final class SchemalessColumns {
  private static final FileFormat FORMAT = FileFormat.JSONL;

  private final ColumnNames names;
  private final MetadataColumns metadata;
  private final TimestampUnit unit;

  /** How many metadata columns every file has besides the value columns. */
  private final int metadataColumns;

  /** Columns by folded name, in first-seen order. */
  private final Map<String, Column> byFoldedName = new LinkedHashMap<>();

  /** Column of every field name seen, so a known field costs one lookup. */
  private final Map<String, Column> byField = new HashMap<>();

  private List<MarkerColumn> markerColumns = List.of();

  /** Bumped whenever a column is added or retyped: a planned row is valid for one version. */
  private long version;

  private long rowStamp;

  /** The last record planned and its row: compatible() plans a record, write() reuses the plan. */
  private SinkRecord plannedRecord;

  private Row plannedRow;

  SchemalessColumns(ColumnNames names, MetadataColumns metadata, TimestampUnit unit) {
    this.names = names;
    this.metadata = metadata;
    this.unit = unit;
    this.metadataColumns = metadata.columns(false).size();
  }

  /** The value columns so far, in file order. */
  List<MarkerColumn> columns() {
    return markerColumns;
  }

  /**
   * Whether the fields of {@code r} fit this file's columns. A record that {@link #rowOf} rejects
   * is reported as fitting: a new file would reject it too.
   */
  boolean fits(SinkRecord r) {
    try {
      return rowOf(r).conflict() == null;
    } catch (DataException e) {
      return true;
    }
  }

  /**
   * The cells of {@code r}'s row and whether they fit this file (see {@link Row#conflict()}).
   *
   * @throws DataException naming the record and field when a column name is too long, two fields
   *     become one column, a field clashes with a metadata column, or a key field's schema is
   *     unsupported
   */
  Row rowOf(SinkRecord r) {
    if (r != plannedRecord || plannedRow.version != version) {
      plannedRow = plan(r);
      plannedRecord = r;
    }
    return plannedRow;
  }

  private Row plan(SinkRecord r) {
    Row row = planFields(r);
    WarehouseLimits.columnCount(r, FORMAT, row.cells.size() + metadataColumns);
    if (byFoldedName.size() + row.freshColumns() + metadataColumns > WarehouseLimits.MAX_COLUMNS) {
      row.conflict(
          "its new fields would give the open file more than the "
              + WarehouseLimits.MAX_COLUMNS
              + " columns a Redshift table holds");
    }
    return row;
  }

  private Row planFields(SinkRecord r) {
    Row row = new Row(version);
    long stamp = ++rowStamp;
    Object v = r.value();
    Object source = v == null ? r.key() : v;
    if (source instanceof Map) {
      int position = 0;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) source).entrySet()) {
        Object value = e.getValue();
        String field;
        try {
          field = ValueChecks.mapKeyName(e.getKey());
        } catch (ConversionException ex) {
          throw RecordErrors.conversion(
              r, FORMAT, v == null ? "key" : "value", ex.inElement("entry " + position));
        }
        plan(row, r, stamp, field, value, null, value == null ? null : guess(value));
        position++;
      }
    } else if (source instanceof Struct) {
      Struct struct = (Struct) source;
      for (Field f : struct.schema().fields()) {
        Object value = FieldValues.of(struct, f);
        ColumnType type;
        try {
          type = value == null ? null : ConnectTypes.columnType(f.schema(), unit);
        } catch (ConversionException e) {
          throw RecordErrors.conversion(
              r, FORMAT, v == null ? "key" : "value", e.inField(f.name()));
        }
        plan(row, r, stamp, f.name(), value, f.schema(), type);
      }
    } else if (v != null) {
      plan(row, r, stamp, "value", v, null, guess(v));
    }
    return row;
  }

  private void plan(
      Row row,
      SinkRecord r,
      long stamp,
      String field,
      Object value,
      Schema schema,
      ColumnType type) {
    Column column = byField.get(field);
    if (column == null) {
      String name = names.column(field, r, FORMAT);
      String folded = ColumnNames.fold(name);
      column = byFoldedName.get(folded);
      if (column == null) {
        column = row.fresh(folded);
      }
      if (column == null) {
        metadata.checkNoClash(name, r, FORMAT);
        column = row.addFresh(new Column(name, folded));
      } else if (!column.name.equals(name) && column.stamp != stamp) {
        row.conflict(
            "its field '"
                + field
                + "' becomes the column "
                + name
                + " but the open file has the column "
                + column.name
                + ", which differs only in case");
      }
    }
    if (column.stamp == stamp) {
      throw ColumnNames.sameColumn(r, FORMAT, field, row.fieldOf(column), column.name);
    }
    column.stamp = stamp;
    if (column.type != null && type != null && widen(column.type, type) == null) {
      row.conflict(
          "its field '"
              + field
              + "' holds "
              + type
              + " but the open file's column "
              + column.name
              + " holds "
              + column.type);
    }
    row.cells.add(new Cell(column, field, value, schema, type));
  }

  /** Takes in the columns and types of a row that was written. */
  void add(Row row) {
    if (row.version != version || row.conflict != null) {
      throw new IllegalStateException(
          "Cannot add a row planned for another state of the file's columns");
    }
    plannedRecord = null;
    boolean changed = false;
    for (Cell cell : row.cells) {
      Column c = cell.column;
      if (byFoldedName.putIfAbsent(c.folded, c) == null) {
        changed = true;
      }
      byField.putIfAbsent(cell.field, c);
      if (cell.type != null) {
        ColumnType t = c.type == null ? cell.type : widen(c.type, cell.type);
        if (!t.equals(c.type)) {
          c.type = t;
          changed = true;
        }
      }
    }
    if (changed) {
      version++;
      List<MarkerColumn> list = new ArrayList<>(byFoldedName.size());
      for (Column c : byFoldedName.values()) {
        // a column of nulls so far has no type: the marker says so, and the loader takes the type
        // from the table or from files with values
        list.add(
            c.type == null ? MarkerColumn.ofNulls(c.name) : new MarkerColumn(c.name, c.type, true));
      }
      markerColumns = List.copyOf(list);
    }
  }

  /** A type holding values of both {@code a} and {@code b}, or null when there is none. */
  static ColumnType widen(ColumnType a, ColumnType b) {
    if (a.equals(b)) {
      return a;
    }
    boolean aInt = isInteger(a.kind());
    boolean bInt = isInteger(b.kind());
    if (aInt && bInt) {
      return a.kind().compareTo(b.kind()) >= 0 ? a : b;
    }
    if ((aInt || isFloat(a.kind())) && (bInt || isFloat(b.kind()))) {
      return ColumnType.of(Kind.FLOAT64);
    }
    return null;
  }

  private static boolean isInteger(Kind k) {
    return k == Kind.INT8 || k == Kind.INT16 || k == Kind.INT32 || k == Kind.INT64;
  }

  private static boolean isFloat(Kind k) {
    return k == Kind.FLOAT32 || k == Kind.FLOAT64;
  }

  ColumnType guess(Object v) {
    if (v instanceof Boolean) {
      return ColumnType.of(Kind.BOOLEAN);
    }
    if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      return ColumnType.of(Kind.INT64);
    }
    if (v instanceof Number) {
      return ColumnType.of(Kind.FLOAT64);
    }
    if (v instanceof Map || v instanceof Struct) {
      return ColumnType.of(Kind.STRUCT);
    }
    if (v instanceof Collection) {
      return ColumnType.of(Kind.ARRAY);
    }
    if (v instanceof byte[] || v instanceof ByteBuffer) {
      return ColumnType.of(Kind.BYTES);
    }
    if (v instanceof java.util.Date) {
      return unit.columnType();
    }
    return ColumnType.of(Kind.STRING);
  }

  /** One column of the file; {@code type} is null while the column has held only nulls. */
  private static final class Column {
    final String name;
    final String folded;
    ColumnType type;

    /** The last row planned with this column, to find two fields of one row in one column. */
    long stamp;

    Column(String name, String folded) {
      this.name = name;
      this.folded = folded;
    }
  }

  /**
   * One field of a row: the column it is written as, its value, and its schema when it comes from a
   * Struct.
   */
  static final class Cell {
    final Column column;
    final String field;
    final Object value;
    final Schema schema;
    final ColumnType type;

    Cell(Column column, String field, Object value, Schema schema, ColumnType type) {
      this.column = column;
      this.field = field;
      this.value = value;
      this.schema = schema;
      this.type = type;
    }

    String columnName() {
      return column.name;
    }
  }

  /**
   * The planned row of one record; {@link #conflict} says why it cannot go into this file, or is
   * null.
   */
  static final class Row {
    final long version;
    final List<Cell> cells = new ArrayList<>();
    private Map<String, Column> fresh;
    private String conflict;

    Row(long version) {
      this.version = version;
    }

    String conflict() {
      return conflict;
    }

    void conflict(String why) {
      if (conflict == null) {
        conflict = why;
      }
    }

    int freshColumns() {
      return fresh == null ? 0 : fresh.size();
    }

    Column fresh(String folded) {
      return fresh == null ? null : fresh.get(folded);
    }

    Column addFresh(Column c) {
      if (fresh == null) {
        fresh = new HashMap<>();
      }
      fresh.put(c.folded, c);
      return c;
    }

    String fieldOf(Column c) {
      for (Cell cell : cells) {
        if (cell.column == c) {
          return cell.field;
        }
      }
      return c.name;
    }
  }
}
