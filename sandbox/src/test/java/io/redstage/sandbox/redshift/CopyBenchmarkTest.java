package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.sandbox.parquet.BytesOutputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;

/**
 * Throughput of the stand-in's COPY path (S3 read + Parquet decode + conversion + PostgreSQL bulk
 * load) for a 1,000,000-row Parquet file. It tracks the sandbox's overhead; it says nothing about
 * Redshift. Skipped unless {@code -Dredstage.benchmark=true}; see docs/benchmarks.md for the
 * command and numbers.
 */
@EnabledIfSystemProperty(named = "redstage.benchmark", matches = "true")
class CopyBenchmarkTest {
  private static final int ROWS = Integer.getInteger("redstage.benchmark.rows", 1_000_000);
  private static final int RUNS = Integer.getInteger("redstage.benchmark.runs", 3);

  private static final Schema ORDER =
      TestFiles.avroSchema(
          """
      {"type":"record","name":"Order","fields":[
        {"name":"id","type":"long"},
        {"name":"customer_id","type":"int"},
        {"name":"quantity","type":"int"},
        {"name":"event_type","type":"string"},
        {"name":"customer_name","type":"string"},
        {"name":"description","type":"string"},
        {"name":"created_at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},
        {"name":"version","type":"long"},
        {"name":"country","type":["null","string"],"default":null}
      ]}""");

  @Test
  void copyOneMillionParquetRows() throws Exception {
    byte[] file = writeParquet(ROWS);
    // one worker: every statement runs on the same pooled PostgreSQL backend, whose CPU time we can
    // read
    try (SandboxStack stack = SandboxStack.start(o -> o.workerThreads(1))) {
      stack.put("bench/orders.parquet", file);
      stack.put(
          "bench/orders.manifest",
          TestFiles.manifest(
              List.of("s3://" + BUCKET + "/bench/orders.parquet"),
              List.of((long) file.length),
              null));
      stack.ok(
          "CREATE TABLE bench_orders (id BIGINT, customer_id INTEGER, quantity INTEGER, event_type VARCHAR(32), "
              + "customer_name VARCHAR(64), description VARCHAR(256), created_at TIMESTAMP, amount DECIMAL(18,2), "
              + "version BIGINT, country VARCHAR(2))");
      List<Double> rates = new ArrayList<>();
      List<Double> cpuRates = new ArrayList<>();
      for (int run = 1; run <= RUNS; run++) {
        long backend = stack.ok("TRUNCATE bench_orders").redshiftPid();
        double pgCpuBefore = processCpuSeconds(backend);
        long jvmCpuBefore = jvmCpuNanos();
        long start = System.nanoTime();
        DescribeStatementResponse d =
            stack.ok(
                "COPY bench_orders FROM 's3://"
                    + BUCKET
                    + "/bench/orders.manifest' "
                    + "IAM_ROLE '"
                    + IAM_ROLE
                    + "' MANIFEST FORMAT AS PARQUET");
        double seconds = (System.nanoTime() - start) / 1e9;
        double jvmCpu = (jvmCpuNanos() - jvmCpuBefore) / 1e9;
        double pgCpu = processCpuSeconds(d.redshiftPid()) - pgCpuBefore;
        assertThat(d.resultRows()).isEqualTo(ROWS);
        assertThat(d.redshiftPid()).isEqualTo(backend);
        double rate = ROWS / seconds;
        double cpuRate = ROWS / (jvmCpu + pgCpu);
        rates.add(rate);
        cpuRates.add(cpuRate);
        System.out.printf(
            "COPY run %d: %,d rows in %.2f s = %,.0f rows/s wall; CPU: JVM %.2f s + PostgreSQL %.2f s "
                + "= %,.0f rows per CPU-second; file %.1f MB; load average %.1f%n",
            run, ROWS, seconds, rate, jvmCpu, pgCpu, cpuRate, file.length / 1e6, loadAverage());
      }
      assertThat(stack.scalar("SELECT count(*) FROM bench_orders"))
          .isEqualTo(Integer.toString(ROWS));
      rates.sort(Double::compare);
      cpuRates.sort(Double::compare);
      System.out.printf(
          "COPY median: %,.0f rows/s wall, %,.0f rows per CPU-second over %d runs%n",
          rates.get(rates.size() / 2), cpuRates.get(cpuRates.size() / 2), RUNS);
    }
  }

  /** CPU time of the whole test JVM (COPY engine, S3Proxy, Data API server). */
  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** utime + stime of a process from /proc (Linux), in seconds; 0 where /proc is unavailable. */
  private static double processCpuSeconds(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static byte[] writeParquet(int rows) {
    BytesOutputFile out = new BytesOutputFile();
    Random random = new Random(1);
    String[] types = {"order_created", "order_paid", "order_shipped", "order_cancelled"};
    String[] countries = {"DE", "FR", "US", "JP", null};
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(out)
            .withSchema(ORDER)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      GenericRecord r = new GenericData.Record(ORDER);
      for (int i = 0; i < rows; i++) {
        r.put("id", (long) i);
        r.put("customer_id", random.nextInt(100_000));
        r.put("quantity", 1 + random.nextInt(10));
        r.put("event_type", types[i % types.length]);
        r.put("customer_name", "customer-" + random.nextInt(100_000));
        r.put("description", "order line " + i + " with some free text describing the purchase");
        r.put("created_at", 1_700_000_000_000L + i * 1000L);
        r.put(
            "amount",
            ByteBuffer.wrap(
                BigDecimal.valueOf(random.nextInt(1_000_000), 2).unscaledValue().toByteArray()));
        r.put("version", 1L);
        r.put("country", countries[i % countries.length]);
        w.write(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.bytes();
  }
}
