package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedMarkerPartsTest {
  static byte[] marker(long start) {
    List<MarkerColumn> columns =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false, ColumnRole.VALUE),
            new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true, ColumnRole.VALUE),
            new MarkerColumn(
                "kafka_offset", ColumnType.of(ColumnType.Kind.INT64), false, ColumnRole.OFFSET));
    MarkerFile file =
        new MarkerFile(
            "topics/orders/orders+0+" + start + "+" + (start + 9) + ".parquet",
            100,
            10,
            FileFormat.PARQUET,
            "snappy",
            "partition=0",
            columns);
    return MarkerCodec.toJson(
        new CommitMarker(
            CommitMarker.FORMAT_VERSION,
            "orders",
            0,
            start,
            start + 9,
            10,
            "staging",
            1_765_000_000_000L + start,
            "flush.size",
            List.of(file)));
  }

  @Test
  void markersOfOneSchemaShareTheirColumnsAndTextsAndStayEqual() {
    SharedMarkerParts parts = new SharedMarkerParts();
    CommitMarker a = MarkerCodec.fromJson(marker(0), "a");
    CommitMarker b = MarkerCodec.fromJson(marker(10), "b");

    CommitMarker sharedA = parts.share(a);
    CommitMarker sharedB = parts.share(b);

    assertThat(sharedA).isEqualTo(a);
    assertThat(sharedB).isEqualTo(b);
    assertThat(sharedB.files().get(0).columns()).isSameAs(sharedA.files().get(0).columns());
    assertThat(sharedB.topic()).isSameAs(sharedA.topic());
    assertThat(sharedB.files().get(0).encodedPartition())
        .isSameAs(sharedA.files().get(0).encodedPartition());
    assertThat(b.files().get(0).columns()).isNotSameAs(a.files().get(0).columns());
  }
}
