package io.redstage.loader.discovery;

import io.redstage.contract.CommitMarker;

/** A commit unit found under the markers prefix: its marker key and parsed marker. */
public record Unit(String markerKey, CommitMarker marker) {
  public String topic() {
    return marker.topic();
  }

  public int partition() {
    return marker.partition();
  }

  public long start() {
    return marker.startOffset();
  }

  public long end() {
    return marker.endOffset();
  }

  public String id() {
    return marker.unitId();
  }
}
