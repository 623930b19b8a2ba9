package io.redstage.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads and writes commit markers as JSON. */
public final class MarkerCodec {
  /**
   * Unknown fields are ignored (a newer connector may add optional ones within a format version);
   * anything else that is not exactly one marker is refused: a key given twice, text after the
   * object, a null where a number belongs.
   */
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
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
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException | RuntimeException e) {
      throw notAMarker(source, e.getMessage(), e);
    }
    // the version first: a newer marker may hold types, formats or fields this version cannot
    // bind, and its reader must be told to upgrade, not that the object is not a marker
    JsonNode version = tree == null ? null : tree.get("formatVersion");
    if (version == null || !version.canConvertToInt() || version.asInt() < 1) {
      throw notAMarker(source, "it has no format version (a whole number from 1)", null);
    }
    if (version.asInt() > CommitMarker.FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Cannot read commit marker "
              + source
              + ": format version "
              + version.asInt()
              + " is newer than "
              + CommitMarker.FORMAT_VERSION
              + ". Upgrade the loader to the connector's version.");
    }
    try {
      return MAPPER.treeToValue(tree, CommitMarker.class);
    } catch (IOException | RuntimeException e) {
      throw notAMarker(source, e.getMessage(), e);
    }
  }

  private static IllegalArgumentException notAMarker(String source, String why, Throwable cause) {
    return new IllegalArgumentException(
        "Cannot read commit marker "
            + source
            + ": "
            + why
            + ". Check that the object was written by the Redstage connector.",
        cause);
  }
}
