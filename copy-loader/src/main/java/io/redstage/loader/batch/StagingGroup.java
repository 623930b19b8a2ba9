package io.redstage.loader.batch;

import java.util.List;

/**
 * The files of a batch that share one {@link FileSchema}: one staging table, one manifest, one
 * COPY.
 */
public record StagingGroup(int index, FileSchema schema, List<FileRef> files) {
  /** A data file as the manifest lists it. */
  public record FileRef(String bucket, String key, long bytes, long records) {
    public String url() {
      return "s3://" + bucket + "/" + key;
    }
  }

  public long bytes() {
    return files.stream().mapToLong(FileRef::bytes).sum();
  }
}
