package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** flush.size.bytes against S3Proxy: every file of a unit is measured, not only some. */
class FileBytesRotationTest {
  static final String BUCKET = "file-bytes";
  static final TopicPartition TP = new TopicPartition("events", 0);
  static final Schema EVENT =
      SchemaBuilder.struct()
          .name("Event")
          .field("region", Schema.STRING_SCHEMA)
          .field("payload", Schema.STRING_SCHEMA)
          .build();
  static final long MIB = 1024 * 1024;
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /**
   * Two files per unit (a field partitioner), their rows alternating: one gets 20 KB payloads, the
   * other a byte. Sizes were sampled every 32 rows of the unit, each time for the file that row
   * went to, so here always the small file: the large one grew past flush.size.bytes unmeasured, up
   * to flush.size (and past the largest server-side copy, had the setting allowed it).
   */
  @Test
  void aLargeFileSharingItsUnitWithASmallOneClosesTheUnitAtTheLimit() {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "jsonl");
    props.put("topics.dir", "topics");
    props.put("markers.dir", "markers");
    props.put("flush.size", "100000");
    props.put("flush.size.bytes", Long.toString(MIB));
    props.put("partitioner.class", "field");
    props.put("partition.field.name", "region");
    List<SinkRecord> records = new ArrayList<>();
    String large = "x".repeat(20_000);
    for (long o = 0; o < 400; o++) {
      boolean big = o % 2 == 0; // rows 1, 3, 5 ... of each unit
      records.add(
          new SinkRecord(
              TP.topic(),
              TP.partition(),
              null,
              null,
              EVENT,
              new Struct(EVENT)
                  .put("region", big ? "big" : "small")
                  .put("payload", big ? large : "y"),
              o));
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, new NoRewindSinkTaskContext(), Set.of(TP), records);

    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, "markers/");
    assertThat(markers.size()).as("units closed by the large file's size").isGreaterThan(1);
    long largest =
        markers.stream()
            .flatMap(m -> m.files().stream())
            .mapToLong(MarkerFile::bytes)
            .max()
            .orElseThrow();
    // the limit, plus at most 32 of the file's rows between two samples
    assertThat(largest).isLessThanOrEqualTo(MIB + 32 * 20_100L);
    assertThat(committed).isNotEmpty();
  }
}
