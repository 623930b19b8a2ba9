package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.Optional;

/**
 * One column of a data file, in file order: its name, logical type, whether it may be null, and
 * (format version 2) its role. Columns read from a version-1 marker have no role.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MarkerColumn {
  private final String name;
  private final ColumnType type;
  private final boolean nullable;
  private final ColumnRole role;

  /** A column of the record value. */
  public MarkerColumn(String name, ColumnType type, boolean nullable) {
    this(name, type, nullable, ColumnRole.VALUE);
  }

  public MarkerColumn(String name, ColumnType type, boolean nullable, ColumnRole role) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.nullable = nullable;
    this.role = role;
  }

  @JsonCreator
  static MarkerColumn fromJson(
      @JsonProperty("name") String name,
      @JsonProperty("type") String type,
      @JsonProperty("nullable") boolean nullable,
      @JsonProperty("role") ColumnRole role) {
    return new MarkerColumn(name, ColumnType.parse(type), nullable, role);
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

  /** What the column holds; empty for a column of a version-1 marker, which does not say. */
  public Optional<ColumnRole> role() {
    return Optional.ofNullable(role);
  }

  @JsonProperty("role")
  ColumnRole roleOrNull() {
    return role;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MarkerColumn)) {
      return false;
    }
    MarkerColumn c = (MarkerColumn) o;
    return name.equals(c.name) && type.equals(c.type) && nullable == c.nullable && role == c.role;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, nullable, role);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null");
  }
}
