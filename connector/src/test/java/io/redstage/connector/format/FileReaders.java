package io.redstage.connector.format;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.sandbox.parquet.BytesInputFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Reads written files back with independent readers: parquet-java, Avro's DataFileReader, Jackson.
 * Avro logical-type conversions are registered so that decimals, dates, times and timestamps come
 * back as BigDecimal, LocalDate, LocalTime and Instant, i.e. exactly as a reader honouring the
 * file's logical types sees them.
 */
public final class FileReaders {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private FileReaders() {}

  static GenericData logicalModel() {
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    model.addLogicalTypeConversion(new TimeConversions.DateConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    return model;
  }

  public static List<GenericRecord> parquet(byte[] file) {
    return parquet(file, logicalModel());
  }

  /** With {@code model} GenericData's own, logical types read as their stored values. */
  static List<GenericRecord> parquet(byte[] file, GenericData model) {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                new BytesInputFile(file), new PlainParquetConfiguration())
            .withDataModel(model)
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.add(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  static ParquetMetadata parquetFooter(byte[] file) {
    try (ParquetFileReader reader = ParquetFileReader.open(new BytesInputFile(file))) {
      return reader.getFooter();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Each leaf column of a Parquet file (dotted path) and whether any of its row groups has a
   * dictionary page.
   */
  static Map<String, Boolean> dictionaryPages(byte[] file) {
    Map<String, Boolean> pages = new LinkedHashMap<>();
    for (BlockMetaData block : parquetFooter(file).getBlocks()) {
      for (ColumnChunkMetaData column : block.getColumns()) {
        pages.merge(column.getPath().toDotString(), column.hasDictionaryPage(), Boolean::logicalOr);
      }
    }
    return pages;
  }

  static DataFileReader<GenericRecord> avroReader(byte[] file) {
    return avroReader(file, logicalModel());
  }

  static DataFileReader<GenericRecord> avroReader(byte[] file, GenericData model) {
    try {
      return new DataFileReader<>(
          new SeekableByteArrayInput(file),
          new GenericDatumReader<GenericRecord>(null, null, model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<GenericRecord> avro(byte[] file) {
    return avro(file, logicalModel());
  }

  static List<GenericRecord> avro(byte[] file, GenericData model) {
    List<GenericRecord> rows = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader = avroReader(file, model)) {
      reader.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  static String text(byte[] file, boolean gzip) {
    try (InputStream in =
        gzip
            ? new GZIPInputStream(new ByteArrayInputStream(file))
            : new ByteArrayInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> jsonLines(byte[] file, boolean gzip) {
    String text = text(file, gzip);
    List<JsonNode> rows = new ArrayList<>();
    if (text.isEmpty()) {
      return rows;
    }
    if (!text.endsWith("\n")) {
      throw new AssertionError("JSON Lines file does not end with a newline");
    }
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      try {
        rows.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException("Invalid JSON line: " + line, e);
      }
    }
    return rows;
  }
}
