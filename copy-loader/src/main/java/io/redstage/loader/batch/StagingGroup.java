package io.redstage.loader.batch;

import java.util.List;

/**
 * The files of a batch that share one staging table ({@code schema}), one manifest, one COPY.
 * {@code fileSchemas}: the schemas of those files, distinct, in file order; more than one when JSON
 * Lines files of other columns or types share the staging table ({@link StagingSchemas}).
 */
public record StagingGroup(
    int index, FileSchema schema, List<FileRef> files, List<FileSchema> fileSchemas) {
  /** A data file as the manifest lists it. */
  public record FileRef(String bucket, String key, long bytes, long records) {
    public String url() {
      return "s3://" + bucket + "/" + key;
    }
  }

  public long bytes() {
    return files.stream().mapToLong(FileRef::bytes).sum();
  }

  /** The records the markers count in the group's files: the rows its COPY loads when none fail. */
  public long records() {
    return files.stream().mapToLong(FileRef::records).sum();
  }
}
