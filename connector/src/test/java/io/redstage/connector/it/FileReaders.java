package io.redstage.connector.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/** Independent readers (parquet-java, Avro, Jackson) for files the connector wrote. */
final class FileReaders {
  private FileReaders() {}

  static List<GenericRecord> parquet(byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile("read", ".parquet");
    try {
      Files.write(tmp, bytes);
      List<GenericRecord> out = new ArrayList<>();
      try (ParquetReader<GenericRecord> r =
          AvroParquetReader.<GenericRecord>builder(new LocalInputFile(tmp))
              .withConf(new PlainParquetConfiguration())
              .build()) {
        for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
          out.add(rec);
        }
      }
      return out;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static MessageType parquetSchema(byte[] bytes) throws IOException {
    return parquetFooter(bytes).getFileMetaData().getSchema();
  }

  /** The compression codec of every column chunk in the file. */
  static Set<CompressionCodecName> parquetCodecs(byte[] bytes) throws IOException {
    Set<CompressionCodecName> out = EnumSet.noneOf(CompressionCodecName.class);
    for (BlockMetaData block : parquetFooter(bytes).getBlocks()) {
      for (ColumnChunkMetaData column : block.getColumns()) {
        out.add(column.getCodec());
      }
    }
    return out;
  }

  /** Paths (dot-separated) of the leaf columns that have a dictionary page in some row group. */
  static Set<String> parquetDictionaryColumns(byte[] bytes) throws IOException {
    Set<String> out = new TreeSet<>();
    for (BlockMetaData block : parquetFooter(bytes).getBlocks()) {
      for (ColumnChunkMetaData column : block.getColumns()) {
        if (column.hasDictionaryPage()) {
          out.add(column.getPath().toDotString());
        }
      }
    }
    return out;
  }

  private static ParquetMetadata parquetFooter(byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile("footer", ".parquet");
    try {
      Files.write(tmp, bytes);
      try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(tmp))) {
        return r.getFooter();
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The codec named in an Avro container file's header ("null", "deflate", "snappy", "zstandard").
   */
  static String avroCodec(byte[] bytes) throws IOException {
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(new SeekableByteArrayInput(bytes), new GenericDatumReader<>())) {
      return r.getMetaString("avro.codec");
    }
  }

  static List<GenericRecord> avro(byte[] bytes) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(new SeekableByteArrayInput(bytes), new GenericDatumReader<>())) {
      while (r.hasNext()) {
        out.add(r.next());
      }
    }
    return out;
  }

  static List<JsonNode> jsonLines(byte[] bytes, boolean gzip) throws IOException {
    InputStream in = new ByteArrayInputStream(bytes);
    if (gzip) {
      in = new GZIPInputStream(in);
    }
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(PipelineFixture.JSON.readTree(line));
      }
    }
    return out;
  }
}
