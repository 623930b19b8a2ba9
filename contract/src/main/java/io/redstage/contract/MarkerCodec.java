package io.redstage.contract;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads and writes commit markers as JSON. */
public final class MarkerCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private MarkerCodec() {}

  public static byte[] toJson(CommitMarker marker) {
    try {
      return MAPPER.writeValueAsBytes(marker);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serialise commit marker " + marker.unitId(), e);
    }
  }

  /**
   * Parses a marker.
   *
   * @param source where the bytes came from (an S3 key), named in the error
   * @throws IllegalArgumentException when the bytes are not a marker this version understands
   */
  public static CommitMarker fromJson(byte[] json, String source) {
    CommitMarker marker;
    try {
      marker = MAPPER.readValue(json, CommitMarker.class);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot read commit marker "
              + source
              + ": "
              + e.getMessage()
              + ". Check that the object was written by the Redstage connector.",
          e);
    }
    if (marker.formatVersion() > CommitMarker.FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Cannot read commit marker "
              + source
              + ": format version "
              + marker.formatVersion()
              + " is newer than "
              + CommitMarker.FORMAT_VERSION
              + ". Upgrade the loader to the connector's version.");
    }
    return marker;
  }
}
