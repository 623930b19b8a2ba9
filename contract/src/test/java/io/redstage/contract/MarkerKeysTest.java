package io.redstage.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkerKeysTest {
  @Test
  void aMarkerKeyParsesBackToItsUnit() {
    String key = MarkerKeys.markerKey("_redstage/markers/", "orders.v1", 3, 100, 199);
    MarkerKeys.UnitKey unit = MarkerKeys.parse("_redstage/markers", key).orElseThrow();
    assertThat(unit.topic()).isEqualTo("orders.v1");
    assertThat(unit.partition()).hasValue(3);
    assertThat(unit.inFolderOf(3)).isTrue();
    assertThat(unit.inFolderOf(4)).isFalse();
    assertThat(unit.start()).isEqualTo(100);
    assertThat(unit.end()).isEqualTo(199);
  }

  @Test
  void keysOfOtherShapesAreNotUnits() {
    String file = "/" + MarkerKeys.pad(0, 20) + "+" + MarkerKeys.pad(9, 20) + ".json";
    assertThat(MarkerKeys.parse("m", "m/orders/0000000003" + file)).isPresent();
    // a folder the connector does not write: a unit's shape, but no partition
    assertThat(MarkerKeys.parse("m", "m/orders/3" + file).orElseThrow().partition()).isEmpty();
    assertThat(MarkerKeys.parse("m", "m/orders/9999999999" + file).orElseThrow().partition())
        .isEmpty();
    assertThat(MarkerKeys.parse("m", "m/orders/0000000003/x" + file)).isEmpty();
    assertThat(MarkerKeys.parse("m", "m/0000000003" + file)).isEmpty();
    assertThat(MarkerKeys.parse("m", "other/orders/0000000003" + file)).isEmpty();
    assertThat(MarkerKeys.parse("m", "m/orders/0000000003/1+2.json")).isEmpty();
    assertThat(MarkerKeys.parse("m", "m//0000000003" + file)).isEmpty();
  }
}
