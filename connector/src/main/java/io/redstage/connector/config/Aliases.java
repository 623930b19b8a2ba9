package io.redstage.connector.config;

import io.redstage.connector.partition.Partitioners;
import io.redstage.contract.FileFormat;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Maps Confluent's format and partitioner class names to ours, so a Confluent S3 sink config runs
 * with only connector.class changed.
 */
public final class Aliases {
  private static final Map<String, FileFormat> FORMATS =
      Map.of(
          "parquet", FileFormat.PARQUET,
          "io.confluent.connect.s3.format.parquet.parquetformat", FileFormat.PARQUET,
          "avro", FileFormat.AVRO,
          "io.confluent.connect.s3.format.avro.avroformat", FileFormat.AVRO,
          "jsonl", FileFormat.JSONL,
          "json", FileFormat.JSONL,
          "io.confluent.connect.s3.format.json.jsonformat", FileFormat.JSONL);

  private Aliases() {}

  public static FileFormat format(String value) {
    FileFormat f = FORMATS.get(value.trim().toLowerCase(Locale.ROOT));
    if (f == null) {
      throw new ConfigException(
          SinkConfigDef.FORMAT_CLASS,
          value,
          "Cannot use this format: expected parquet, avro "
              + "or jsonl (or Confluent's ParquetFormat, AvroFormat, JsonFormat class names). ByteArray and other "
              + "formats are not supported because Redshift COPY cannot load them by column.");
    }
    return f;
  }

  /** Our partitioner type for a value of partitioner.class (short name or Confluent class name). */
  public static String partitioner(String value) {
    try {
      return Partitioners.typeForClassName(value);
    } catch (ConfigException e) {
      throw new ConfigException(SinkConfigDef.PARTITIONER_CLASS, value, e.getMessage());
    }
  }
}
