package io.redstage.connector.bench;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.format.RecordFormats;
import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Heap held by open data files of each format, against what the writers report in {@code
 * bufferedBytes()}: opens {@code --files} writers on discarding streams, writes {@code --records}
 * records into each, and measures the live heap (after full GCs) before and after. The difference
 * per file, minus the reported bytes, is the fixed overhead the task's memory budget has to add for
 * every open file.
 *
 * <pre>
 *   java -Xmx2g -cp ... io.redstage.connector.bench.OpenFileOverhead --files 200 --records 1,100,1000
 * </pre>
 */
public final class OpenFileOverhead {
  static final String USAGE =
      "OpenFileOverhead [--files 200] [--records 1,100,1000] [--formats parquet,avro,jsonl] "
          + "[--dictionary true|false]";

  private OpenFileOverhead() {}

  public static void main(String[] args) {
    SinkBenchmark.quietLogs();
    BenchArgs a = new BenchArgs(args, USAGE, "files", "records", "formats", "dictionary");
    int files = (int) a.number("files", 200);
    boolean dictionary = Boolean.parseBoolean(a.string("dictionary", "true"));
    System.out.println(
        "| format | records per file | live heap per open file | reported bufferedBytes per file "
            + "| not reported per file |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (String name : a.list("formats", "parquet,avro,jsonl")) {
      FileFormat format = FileFormat.fromId(name.trim());
      RecordFormat rf =
          RecordFormats.create(
              FormatOptions.builder().format(format).parquetDictionaryEnabled(dictionary).build());
      for (String n : a.list("records", "1,100,1000")) {
        measure(rf, format, files, Integer.parseInt(n.trim()));
      }
    }
  }

  private static void measure(RecordFormat format, FileFormat id, int files, int perFile) {
    BenchRecords generator = new BenchRecords(files, 3);
    List<SinkRecord> records = generator.next(files * perFile);
    long before = live();
    List<RecordFileWriter> writers = new ArrayList<>(files);
    for (int f = 0; f < files; f++) {
      SinkRecord first = records.get(f);
      writers.add(format.open(new DiscardingOutputStream(), first, "probe+" + f));
    }
    for (SinkRecord r : records) {
      writers.get(r.kafkaPartition()).write(r);
    }
    long after = live();
    // the records must stay reachable until both samples are taken, or the second one would not
    // count them
    java.lang.ref.Reference.reachabilityFence(records);
    long reported = writers.stream().mapToLong(RecordFileWriter::bufferedBytes).sum();
    long perFileHeap = (after - before) / files;
    System.out.printf(
        Locale.ROOT,
        "| %s | %,d | %,d B | %,d B | %,d B |%n",
        id.id(),
        perFile,
        perFileHeap,
        reported / files,
        perFileHeap - reported / files);
    writers.forEach(RecordFileWriter::abort);
    writers.clear();
  }

  private static long live() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return HeapMonitor.heapUsed();
  }
}
