package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.parquet.BytesInputFile;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.copy.TargetTable.Kind;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file for COPY with Redshift's columnar rules: columns map by position, the file
 * must have exactly as many top-level columns as the table (or the column list), each column's
 * Parquet type must be compatible with the table column (checked on the schema before any row, as
 * Spectrum does), and nested columns load only into SUPER/VARCHAR with SERIALIZETOJSON.
 */
final class ParquetRows {
  private ParquetRows() {}

  static void read(String url, byte[] data, List<Column> targets, CopyCommand cmd, RowSink sink) {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new BytesInputFile(data),
            ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      List<Type> fields = schema.getFields();
      if (fields.size() != targets.size()) {
        throw spectrum(
            url,
            "Unmatched number of columns between table and file. Table columns: "
                + targets.size()
                + ", Data columns: "
                + fields.size()
                + ", File name: "
                + url);
      }
      ParquetValues.Decoder[] decoders = new ParquetValues.Decoder[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        decoders[i] = decoder(url, fields.get(i), targets.get(i), cmd);
      }
      boolean flat =
          fields.stream()
              .allMatch(f -> f.isPrimitive() && !f.isRepetition(Type.Repetition.REPEATED));
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      long[] line = {0};
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        if (flat) {
          readFlat(pages, schema, createdBy, decoders, line, sink);
        } else {
          readAssembled(pages, schema, decoders, line, sink);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof StatementFailedException || e instanceof RowSink.LoadAborted) {
        throw (RuntimeException) e;
      }
      throw spectrum(url, "File '" + url + "' is not a valid Parquet file: " + e.getMessage());
    }
  }

  /**
   * Flat schemas (every column a top-level primitive): values come straight from the column
   * readers, without assembling records. This is the bulk-load path.
   */
  private static void readFlat(
      PageReadStore pages,
      MessageType schema,
      String createdBy,
      ParquetValues.Decoder[] decoders,
      long[] line,
      RowSink sink) {
    ColumnReadStoreImpl store =
        new ColumnReadStoreImpl(
            pages, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
    List<ColumnDescriptor> columns = schema.getColumns();
    ColumnReader[] readers = new ColumnReader[columns.size()];
    ColumnCursor[] cursors = new ColumnCursor[columns.size()];
    int[] maxDefinition = new int[columns.size()];
    for (int i = 0; i < readers.length; i++) {
      readers[i] = store.getColumnReader(columns.get(i));
      cursors[i] = new ColumnCursor(readers[i]);
      maxDefinition[i] = columns.get(i).getMaxDefinitionLevel();
    }
    long rows = pages.getRowCount();
    for (long r = 0; r < rows; r++) {
      Object[] values = new Object[decoders.length];
      for (int i = 0; i < decoders.length; i++) {
        ColumnReader cr = readers[i];
        values[i] =
            cr.getCurrentDefinitionLevel() == maxDefinition[i]
                ? decoders[i].decode(cursors[i])
                : null;
        cr.consume();
      }
      deliver(values, ++line[0], sink);
    }
  }

  /** Schemas with nested or repeated columns: records are assembled into groups first. */
  private static void readAssembled(
      PageReadStore pages,
      MessageType schema,
      ParquetValues.Decoder[] decoders,
      long[] line,
      RowSink sink) {
    RecordReader<Group> records =
        new ColumnIOFactory()
            .getColumnIO(schema)
            .getRecordReader(pages, new GroupRecordConverter(schema));
    ParquetValues.GroupField field = new ParquetValues.GroupField();
    long rows = pages.getRowCount();
    for (long r = 0; r < rows; r++) {
      Group g = records.read();
      Object[] values = new Object[decoders.length];
      for (int i = 0; i < decoders.length; i++) {
        values[i] =
            g.getFieldRepetitionCount(i) == 0 ? null : decoders[i].decode(field.at(g, i, 0));
      }
      deliver(values, ++line[0], sink);
    }
  }

  private static void deliver(Object[] values, long line, RowSink sink) {
    sink.row(values, line, () -> describe(values));
  }

  /** The current value of a column reader as {@link ParquetValues.Primitives}. */
  private static final class ColumnCursor implements ParquetValues.Primitives {
    private final ColumnReader reader;

    ColumnCursor(ColumnReader reader) {
      this.reader = reader;
    }

    @Override
    public int getInteger() {
      return reader.getInteger();
    }

    @Override
    public long getLong() {
      return reader.getLong();
    }

    @Override
    public boolean getBoolean() {
      return reader.getBoolean();
    }

    @Override
    public float getFloat() {
      return reader.getFloat();
    }

    @Override
    public double getDouble() {
      return reader.getDouble();
    }

    @Override
    public Binary getBinary() {
      return reader.getBinary();
    }
  }

  private static ParquetValues.Decoder decoder(
      String url, Type field, Column target, CopyCommand cmd) {
    if (!field.isPrimitive() || field.isRepetition(Type.Repetition.REPEATED)) {
      if (target.kind() != Kind.SUPER && target.kind() != Kind.VARCHAR) {
        throw incompatible(url, field, target);
      }
      if (!cmd.serializeToJson) {
        throw spectrum(
            url,
            "Invalid type: nested "
                + (field.isPrimitive() ? "repeated" : "group")
                + " column '"
                + field.getName()
                + "' of file '"
                + url
                + "' cannot be loaded into "
                + target.redshiftType().toUpperCase()
                + " column '"
                + target.name()
                + "' without SERIALIZETOJSON. Add SERIALIZETOJSON to the COPY command.");
      }
      return p ->
          ParquetValues.nestedJson(
              field,
              ((ParquetValues.GroupField) p).group(),
              ((ParquetValues.GroupField) p).index());
    }
    ParquetValues.SourceKind kind = ParquetValues.classify(field.asPrimitiveType());
    if (!compatible(kind, target.kind())) {
      throw incompatible(url, field, target);
    }
    return ParquetValues.decoder(field.asPrimitiveType(), kind);
  }

  /** Which Parquet types load into which column types (widening only; values are range-checked). */
  static boolean compatible(ParquetValues.SourceKind s, Kind t) {
    return switch (t) {
      case SMALLINT, INTEGER ->
          s == ParquetValues.SourceKind.INT16 || s == ParquetValues.SourceKind.INT32;
      case BIGINT ->
          s == ParquetValues.SourceKind.INT16
              || s == ParquetValues.SourceKind.INT32
              || s == ParquetValues.SourceKind.INT64;
      case DECIMAL ->
          s == ParquetValues.SourceKind.DECIMAL
              || s == ParquetValues.SourceKind.INT16
              || s == ParquetValues.SourceKind.INT32
              || s == ParquetValues.SourceKind.INT64;
      case REAL -> s == ParquetValues.SourceKind.FLOAT;
      case DOUBLE -> s == ParquetValues.SourceKind.FLOAT || s == ParquetValues.SourceKind.DOUBLE;
      case BOOLEAN -> s == ParquetValues.SourceKind.BOOLEAN;
      case CHAR, VARCHAR ->
          s == ParquetValues.SourceKind.STRING || s == ParquetValues.SourceKind.BINARY;
      case DATE -> s == ParquetValues.SourceKind.DATE;
      case TIMESTAMP, TIMESTAMPTZ -> s == ParquetValues.SourceKind.TIMESTAMP;
      case TIME, TIMETZ -> s == ParquetValues.SourceKind.TIME;
      case SUPER -> s != ParquetValues.SourceKind.UNSUPPORTED;
      case VARBYTE -> s == ParquetValues.SourceKind.BINARY || s == ParquetValues.SourceKind.STRING;
      case UNSUPPORTED -> false;
    };
  }

  private static StatementFailedException incompatible(String url, Type field, Column target) {
    String type =
        target.redshiftType().toUpperCase()
            + (target.lengthText().isEmpty() ? "" : "(" + target.lengthText() + ")");
    return spectrum(
        url,
        "File '"
            + url
            + "' has an incompatible Parquet schema for column '"
            + url
            + "."
            + target.name()
            + "'. Column type: "
            + type
            + ", Parquet schema: "
            + field.toString().trim());
  }

  static StatementFailedException spectrum(String url, String detail) {
    return new SpectrumScanError(url, detail);
  }

  /**
   * A Spectrum-side failure (schema or file problem): no row-level detail, code 15007 in the error
   * views.
   */
  static final class SpectrumScanError extends StatementFailedException {
    private static final long serialVersionUID = 1L;
    final String url;
    final String detail;

    SpectrumScanError(String url, String detail) {
      super("Spectrum Scan Error. " + detail);
      this.url = url;
      this.detail = detail;
    }
  }

  private static String describe(Object[] values) {
    StringBuilder sb = new StringBuilder();
    for (Object v : values) {
      if (sb.length() > 0) {
        sb.append('|');
      }
      sb.append(
          v instanceof ColumnWriter.Utf8Text u
              ? new String(u.bytes(), StandardCharsets.UTF_8)
              : v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v));
      if (sb.length() > 1024) {
        break;
      }
    }
    return sb.toString();
  }
}
