package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Data file formats the connector writes and the loader can COPY. */
public enum FileFormat {
  PARQUET,
  AVRO,
  JSONL;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static FileFormat fromId(String id) {
    for (FileFormat f : values()) {
      if (f.id().equalsIgnoreCase(id)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Cannot read file format '" + id + "': expected parquet, avro or jsonl");
  }
}
