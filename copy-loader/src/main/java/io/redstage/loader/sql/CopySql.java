package io.redstage.loader.sql;

import io.redstage.loader.batch.FileSchema;

/** The COPY statement for one staging table, per file format. */
public final class CopySql {
  private final String iamRole;
  private final int jsonMaxErrors;

  /**
   * @param iamRole an IAM role ARN, or "default" for the cluster's default role
   * @param jsonMaxErrors rows a JSON Lines COPY may reject per unit it loads (0: none). Parquet
   *     COPY refuses MAXERROR (columnar formats stop at the first bad row); Avro files come from
   *     typed schemas, so they keep the all-or-nothing COPY.
   */
  public CopySql(String iamRole, int jsonMaxErrors) {
    if (!iamRole.equalsIgnoreCase("default")
        && !iamRole.matches(
            "arn:[a-z0-9-]+:iam::\\d{12}:role/[\\w+=,.@/-]+(,arn:[a-z0-9-]+:iam::\\d{12}:role/[\\w+=,.@/-]+)*")) {
      throw new IllegalArgumentException(
          "Cannot use copy.iam-role '"
              + Identifiers.printable(iamRole)
              + "': expected 'default' or role ARN(s) like arn:aws:iam::123456789012:role/name.");
    }
    this.iamRole = iamRole;
    this.jsonMaxErrors = jsonMaxErrors;
  }

  /** Redshift's largest MAXERROR. */
  static final int MOST_ERRORS = 100_000;

  /**
   * The most rows one COPY's units may reject together beyond the setting itself: each rejected row
   * is read back, raw line included, into the rejects object in memory.
   */
  static final int MOST_POOLED_ERRORS = 10_000;

  /** The COPY of one unit's files (a check's probe). */
  public String copy(String stagingTable, String manifestUrl, FileSchema schema) {
    return copy(stagingTable, manifestUrl, schema, 1);
  }

  /**
   * The COPY of files of {@code units} units: a JSON Lines COPY may reject load.json.max-errors
   * rows per unit, pooled over its units (a unit over the setting loads beside cleaner ones), and
   * together at most {@link #MOST_POOLED_ERRORS} or the setting itself if larger. One limit for the
   * whole COPY made a backlog batch of many units with a few bad rows each fail, split and load
   * again many times over, though no unit of it had more bad rows than the setting allows.
   */
  public String copy(String stagingTable, String manifestUrl, FileSchema schema, int units) {
    StringBuilder b =
        new StringBuilder("COPY ")
            .append(Identifiers.quote(stagingTable))
            .append(" FROM ")
            .append(SqlText.literal(manifestUrl))
            .append(" IAM_ROLE ")
            .append(iamRole.equalsIgnoreCase("default") ? "default" : SqlText.literal(iamRole));
    switch (schema.format()) {
      case PARQUET:
        b.append(" FORMAT AS PARQUET");
        if (schema.columns().stream().anyMatch(c -> c.type().isNested())) {
          b.append(" SERIALIZETOJSON");
        }
        b.append(" MANIFEST STATUPDATE OFF");
        break;
      case AVRO:
        b.append(" FORMAT AS AVRO 'auto ignorecase' MANIFEST COMPUPDATE OFF STATUPDATE OFF");
        break;
      case JSONL:
        // ROUNDEC: a number with more decimals than its DECIMAL staging column (the table's type,
        // with load.json.max-errors > 0) is rounded, as an INSERT would; without it COPY truncates
        // (20.259 -> 20.25), and Redshift warns that JSON numbers may be read inexactly, so a
        // truncated one can lose its last digit. Parquet COPY refuses it, and Parquet and Avro
        // decimals are staged with their own scale.
        b.append(
            " FORMAT AS JSON 'auto ignorecase' TIMEFORMAT 'auto' DATEFORMAT 'auto' ROUNDEC MANIFEST COMPUPDATE OFF STATUPDATE OFF");
        if (schema.gzip()) {
          b.append(" GZIP");
        }
        if (jsonMaxErrors > 0) {
          long pooled = Math.min((long) jsonMaxErrors * Math.max(1, units), MOST_POOLED_ERRORS);
          b.append(" MAXERROR ").append(Math.min(MOST_ERRORS, Math.max(jsonMaxErrors, pooled)));
        }
        break;
      default:
        throw new IllegalArgumentException("Cannot COPY format " + schema.format());
    }
    return b.toString();
  }
}
