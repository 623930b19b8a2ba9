package io.redstage.examples.data;

/**
 * A record to produce: key and value bytes as a producer sends them; a null value is a tombstone.
 */
public record SampleRecord(byte[] key, byte[] value) {
  public boolean tombstone() {
    return value == null;
  }
}
