package io.redstage.connector.bench;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.format.RecordFormats;
import io.redstage.contract.FileFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The fixed CPU cost of building one small data file: writes the same records once into files of
 * {@code --rows} rows each and once into one file per {@code --big-rows} rows, on one thread into
 * discarding streams, and prints the thread CPU per file and per record of each. The difference per
 * file is what a rotation of many small units (the 1,000-partition scenario) pays on top of
 * encoding. Warm-up rounds run first; the last round is reported.
 *
 * <pre>
 *   java -Xmx1g -cp ... io.redstage.connector.bench.SmallFileCost --files 2000 --rows 1000
 * </pre>
 */
public final class SmallFileCost {
  static final String USAGE =
      "SmallFileCost [--files 2000] [--rows 1000] [--big-rows 100000] [--rounds 4] "
          + "[--formats parquet,avro] [--dictionary true|false (Parquet)] "
          + "[--dictionary-excluded <columns> (Parquet, as parquet.dictionary.excluded.columns)] "
          + "[--dictionary-probe-rows 0 (Parquet, as parquet.dictionary.probe.rows)]";

  private SmallFileCost() {}

  public static void main(String[] args) throws IOException {
    SinkBenchmark.quietLogs();
    BenchArgs a =
        new BenchArgs(
            args,
            USAGE,
            "files",
            "rows",
            "big-rows",
            "rounds",
            "formats",
            "dictionary",
            "dictionary-excluded",
            "dictionary-probe-rows");
    int files = (int) a.number("files", 2000);
    int rows = (int) a.number("rows", 1000);
    int bigRows = (int) a.number("big-rows", 100_000);
    int rounds = (int) a.number("rounds", 4);
    List<SinkRecord> records = new BenchRecords(1, 3).next(rows);
    System.out.println(
        "| format | rows per file | CPU per small file | CPU per record, small files "
            + "| CPU per record, big file | fixed cost per small file | bytes per small file |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (String name : a.list("formats", "parquet,avro")) {
      FileFormat id = FileFormat.fromId(name.trim());
      RecordFormat format =
          RecordFormats.create(
              FormatOptions.builder()
                  .format(id)
                  .parquetDictionaryEnabled(Boolean.parseBoolean(a.string("dictionary", "true")))
                  .parquetDictionaryExcludedColumns(
                      a.string("dictionary-excluded", "").isEmpty()
                          ? List.of()
                          : a.list("dictionary-excluded", ""))
                  .parquetDictionaryProbeRows((int) a.number("dictionary-probe-rows", 0))
                  .build());
      double smallNs = 0;
      double bigNsPerRecord = 0;
      for (int round = 0; round < rounds; round++) {
        smallNs = cpu(format, records, files);
        bigNsPerRecord = cpu(format, records, bigRows / rows, files) / (double) files / rows;
      }
      double smallPerFile = smallNs / files;
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %,.0f µs | %,.0f ns | %,.0f ns | %,.0f µs | %,d |%n",
          id.id(),
          rows,
          smallPerFile / 1e3,
          smallPerFile / rows,
          bigNsPerRecord,
          (smallPerFile - bigNsPerRecord * rows) / 1e3,
          bytesOfOneFile(format, records));
    }
  }

  /** Size of one file holding {@code records}. */
  private static long bytesOfOneFile(RecordFormat format, List<SinkRecord> records)
      throws IOException {
    DiscardingOutputStream out = new DiscardingOutputStream();
    RecordFileWriter writer = format.open(out, records.get(0), "bench+size");
    for (SinkRecord r : records) {
      writer.write(r);
    }
    writer.finish();
    return out.position();
  }

  /** Thread CPU nanoseconds to write {@code records} into each of {@code files} files. */
  private static double cpu(RecordFormat format, List<SinkRecord> records, int files)
      throws IOException {
    return cpu(format, records, 1, files);
  }

  /**
   * Thread CPU nanoseconds to write {@code files} times {@code records}, {@code perFile} copies
   * into each file.
   */
  private static double cpu(RecordFormat format, List<SinkRecord> records, int perFile, int files)
      throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    int written = 0;
    while (written < files) {
      RecordFileWriter writer =
          format.open(new DiscardingOutputStream(), records.get(0), "bench+" + written);
      for (int copy = 0; copy < perFile && written < files; copy++, written++) {
        for (SinkRecord r : records) {
          writer.write(r);
        }
      }
      writer.finish();
    }
    return threads.getCurrentThreadCpuTime() - start;
  }
}
