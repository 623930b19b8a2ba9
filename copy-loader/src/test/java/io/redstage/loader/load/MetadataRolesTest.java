package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.TestUnits;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataRolesTest {
  private static MetadataRoles roles(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("s3.bucket.name", "b");
    m.put("redshift.database", "dev");
    m.put("redshift.cluster-identifier", "c");
    m.put("copy.iam-role", "arn:aws:iam::123456789012:role/r");
    return new MetadataRoles(LoaderConfig.of(m));
  }

  /** A unit whose offset column has this name, in a marker of this version. */
  private static Unit unit(long start, String offsetColumn, int version) {
    List<MarkerColumn> cols = new ArrayList<>();
    for (MarkerColumn c : TestUnits.columns(TestUnits.col("id", ColumnType.Kind.INT64))) {
      String name = c.role().orElseThrow() == ColumnRole.OFFSET ? offsetColumn : c.name();
      cols.add(
          new MarkerColumn(name, c.type(), c.nullable(), version == 1 ? null : c.role().get()));
    }
    MarkerFile f = TestUnits.file("topics/t/f" + start, 10, 10, FileFormat.PARQUET, cols);
    CommitMarker m =
        new CommitMarker(version, "t", 0, start, start + 9, 10, "b", 1L, "idle", List.of(f));
    return new Unit(MarkerKeys.markerKey(TestUnits.MARKERS, "t", 0, start, start + 9), m);
  }

  @Test
  void versionTwoMarkersNameTheColumnsWhateverTheKeysSay() {
    MetadataColumns m =
        roles(Map.of("metadata.offset-column", "ignored"))
            .of("t", List.of(unit(0, "rec_off", 2), unit(10, "REC_OFF", 2)));
    assertThat(m.offset()).isEqualTo("rec_off");
    assertThat(m.topic()).isEqualTo("kafka_topic");
  }

  @Test
  void versionOneMarkersTakeTheConfiguredNames() {
    MetadataColumns m =
        roles(Map.of("metadata.offset-column", "rec_off"))
            .of("t", List.of(unit(0, "rec_off", 1), unit(10, "rec_off", 2)));
    assertThat(m.offset()).isEqualTo("rec_off");
  }

  @Test
  void unitsThatDisagreeAreRefusedNamingBothMarkersAndTheKeys() {
    MetadataRoles roles = roles(Map.of());
    Unit a = unit(0, "kafka_offset", 1);
    Unit b = unit(10, "rec_off", 2);
    assertThatThrownBy(() -> roles.of("public.t", List.of(a, b)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot load public.t: marker " + a.markerKey() + " (version 1)")
        .hasMessageContaining("names the offset column 'kafka_offset'")
        .hasMessageContaining("marker " + b.markerKey() + " names it 'rec_off'")
        .hasMessageContaining("metadata.offset.column")
        .hasMessageContaining("metadata.offset-column");
  }
}
