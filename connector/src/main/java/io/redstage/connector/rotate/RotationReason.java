package io.redstage.connector.rotate;

/** Why a commit unit closed; written into the commit marker and the logs. */
public enum RotationReason {
  FLUSH_SIZE("flush.size"),
  FILE_BYTES("flush.size.bytes"),
  RECORD_INTERVAL("rotate.interval.ms"),
  SCHEDULE("rotate.schedule.interval.ms"),
  IDLE("rotate.idle.ms"),
  TASK_IDLE("rotate.task.idle.ms"),
  SCHEMA("schema change"),
  MEMORY("memory.buffer.max.bytes");

  private final String label;

  RotationReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
