package io.redstage.loader.discovery;

/** The offsets {@code start..end} (both included) of a topic-partition's unit. */
public record OffsetRange(long start, long end) {}
