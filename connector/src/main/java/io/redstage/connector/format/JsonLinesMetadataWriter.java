package io.redstage.connector.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.redstage.contract.FileFormat;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes the metadata columns of a JSON Lines row, in the order of {@link MetadataColumns}: topic,
 * partition, offset, timestamp, then key, headers and deleted when enabled.
 *
 * <p>The column names are encoded once, as Jackson {@link SerializedString}s, instead of being
 * escaped again in every row (field names were half of the JSON encoder's time in a profile of a
 * 10-field record), and so is the topic, which is the same in every row of a file. One per file
 * writer, like the {@link ConnectJson#forFile} instance it writes timestamps with; not thread-safe.
 */
final class JsonLinesMetadataWriter {
  private static final FileFormat FORMAT = FileFormat.JSONL;

  private final FormatOptions options;
  private final MetadataColumns metadata;
  private final ConnectJson json;
  private final RowLayout layout;

  /** Keys of the enabled columns; null when a column is disabled. */
  private final SerializableString topicKey;

  private final SerializableString partitionKey;
  private final SerializableString offsetKey;
  private final SerializableString timestampKey;
  private final SerializableString keyKey;
  private final SerializableString headersKey;
  private final SerializableString deletedKey;

  /** The topic of the last row and its encoded text. */
  private String topic;

  private SerializableString topicText;

  JsonLinesMetadataWriter(MetadataColumns metadata, ConnectJson json, RowLayout layout) {
    this.options = metadata.options();
    this.metadata = metadata;
    this.json = json;
    this.layout = layout;
    boolean kafka = options.metadataEnabled();
    this.topicKey = kafka ? new SerializedString(options.topicColumn()) : null;
    this.partitionKey = kafka ? new SerializedString(options.partitionColumn()) : null;
    this.offsetKey = kafka ? new SerializedString(options.offsetColumn()) : null;
    this.timestampKey = kafka ? new SerializedString(options.timestampColumn()) : null;
    this.keyKey = options.keyColumnEnabled() ? new SerializedString(options.keyColumn()) : null;
    this.headersKey =
        options.headersColumnEnabled() ? new SerializedString(options.headersColumn()) : null;
    this.deletedKey =
        options.deleteMarkers() ? new SerializedString(options.deletedColumn()) : null;
  }

  void write(JsonGenerator g, SinkRecord r, boolean tombstone) throws IOException {
    if (topicKey != null) {
      g.writeFieldName(topicKey);
      g.writeString(topicText(KafkaCoordinates.topic(r)));
      g.writeFieldName(partitionKey);
      g.writeNumber(KafkaCoordinates.partition(r));
      g.writeFieldName(offsetKey);
      g.writeNumber(KafkaCoordinates.offset(r));
      g.writeFieldName(timestampKey);
      Long timestamp = metadata.timestampMillis(r, FORMAT);
      if (timestamp == null) {
        g.writeNull();
      } else {
        json.writeTimestamp(g, timestamp);
      }
    }
    if (keyKey != null) {
      g.writeFieldName(keyKey);
      try {
        if (r.key() == null) {
          g.writeNull();
        } else if (layout.keyStructSchema != null) {
          json.writeStruct(g, ValueChecks.struct(layout.keyStructSchema, r.key()));
        } else {
          g.writeString(metadata.keyText(r));
        }
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "key", e);
      }
    }
    if (headersKey != null) {
      Map<String, String> headers;
      try {
        headers = metadata.headers(r);
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, FORMAT, "header", e);
      }
      g.writeFieldName(headersKey);
      g.writeStartObject();
      for (Map.Entry<String, String> h : headers.entrySet()) {
        g.writeStringField(h.getKey(), h.getValue());
      }
      g.writeEndObject();
    }
    if (deletedKey != null) {
      g.writeFieldName(deletedKey);
      g.writeBoolean(tombstone);
    }
  }

  private SerializableString topicText(String t) {
    if (!t.equals(topic)) {
      topic = t;
      topicText = new SerializedString(t);
    }
    return topicText;
  }
}
