package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.Optional;

/**
 * One column of a data file, in file order: its name, logical type, whether it may be null, and
 * (format version 2) its role. Columns read from a version-1 marker have no role.
 *
 * <p>A schemaless JSON Lines column, or a key column, whose every value in the file is null has no
 * type of its own: it is marked {@code "nullsOnly": true} (written only then) and typed string, so
 * a loader that does not know the flag reads it as before. A loader that knows it lets the column
 * take its type from the table or from files with values, instead of creating a VARCHAR column from
 * nulls.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MarkerColumn {
  private final String name;
  private final ColumnType type;
  private final boolean nullable;
  private final ColumnRole role;
  private final boolean nullsOnly;

  /** A column of the record value. */
  public MarkerColumn(String name, ColumnType type, boolean nullable) {
    this(name, type, nullable, ColumnRole.VALUE);
  }

  public MarkerColumn(String name, ColumnType type, boolean nullable, ColumnRole role) {
    this(name, type, nullable, role, false);
  }

  private MarkerColumn(
      String name, ColumnType type, boolean nullable, ColumnRole role, boolean nullsOnly) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.nullable = nullable;
    this.role = role;
    this.nullsOnly = nullsOnly;
  }

  /** A value column that holds only nulls in its file (see the class comment). */
  public static MarkerColumn ofNulls(String name) {
    return ofNulls(name, ColumnRole.VALUE);
  }

  /**
   * A column of this role that holds only nulls in its file: a value column, or the key column of a
   * file whose records all had null keys (its type would otherwise be the one a null key gets).
   */
  public static MarkerColumn ofNulls(String name, ColumnRole role) {
    return new MarkerColumn(name, ColumnType.of(ColumnType.Kind.STRING), true, role, true);
  }

  @JsonCreator
  static MarkerColumn fromJson(
      @JsonProperty("name") String name,
      @JsonProperty("type") String type,
      @JsonProperty("nullable") boolean nullable,
      @JsonProperty("role") ColumnRole role,
      @JsonProperty("nullsOnly") Boolean nullsOnly) {
    return new MarkerColumn(
        name, ColumnType.parse(type), nullable, role, Boolean.TRUE.equals(nullsOnly));
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

  /** Whether every value of this column in its file is null, so that its type says nothing. */
  public boolean nullsOnly() {
    return nullsOnly;
  }

  @JsonProperty("nullsOnly")
  Boolean nullsOnlyOrNull() {
    return nullsOnly ? Boolean.TRUE : null;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MarkerColumn)) {
      return false;
    }
    MarkerColumn c = (MarkerColumn) o;
    return name.equals(c.name)
        && type.equals(c.type)
        && nullable == c.nullable
        && role == c.role
        && nullsOnly == c.nullsOnly;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, nullable, role, nullsOnly);
  }

  @Override
  public String toString() {
    return name + " " + type + (nullable ? "" : " not null") + (nullsOnly ? " (only nulls)" : "");
  }
}
