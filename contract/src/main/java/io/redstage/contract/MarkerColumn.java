package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** One column of a data file, in file order: its name, logical type and whether it may be null. */
public final class MarkerColumn {
  private final String name;
  private final ColumnType type;
  private final boolean nullable;

  public MarkerColumn(String name, ColumnType type, boolean nullable) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.nullable = nullable;
  }

  @JsonCreator
  static MarkerColumn fromJson(
      @JsonProperty("name") String name,
      @JsonProperty("type") String type,
      @JsonProperty("nullable") boolean nullable) {
    return new MarkerColumn(name, ColumnType.parse(type), nullable);
  }

  @JsonProperty("name")
  public String name() {
    return name;
  }

  public ColumnType type() {
    return type;
  }

  @JsonProperty("type")
  String typeText() {
    return type.toString();
  }

  @JsonProperty("nullable")
  public boolean nullable() {
    return nullable;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MarkerColumn)) {
      return false;
    }
    MarkerColumn c = (MarkerColumn) o;
    return name.equals(c.name) && type.equals(c.type) && nullable == c.nullable;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, nullable);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null");
  }
}
