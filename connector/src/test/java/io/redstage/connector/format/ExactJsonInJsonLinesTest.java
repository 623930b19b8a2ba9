package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.convert.ExactJsonConverter;
import io.redstage.contract.FileFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

/**
 * Schemaless JSON from the producer's bytes to the JSON Lines file: with {@link ExactJsonConverter}
 * a number keeps its digits in the file, and a number Redshift cannot hold reaches the sink's
 * limits and is refused by record and field; with Kafka's JsonConverter the same bytes are written
 * without a word, with other numbers.
 */
class ExactJsonInJsonLinesTest {
  static final String TWO_TO_THE_70 = "1180591620717411303424";
  static final String DIGITS_38 = "1234567890123456789012345678.0123456789";
  static final String DIGITS_40 = "12345678901234567890123456789012345678.91";
  static final List<String> PRODUCED =
      List.of(
          "{\"id\":1,\"amount\":" + DIGITS_38 + ",\"price\":1.5,\"big\":9223372036854775807}",
          "{\"id\":2,\"big\":" + TWO_TO_THE_70 + "}",
          "{\"id\":3,\"amount\":" + DIGITS_40 + "}",
          "{\"id\":4,\"nested\":{\"deep\":[" + TWO_TO_THE_70 + "]}}",
          "{\"id\":5,\"amount\":0.1,\"nested\":{\"deep\":[" + DIGITS_38 + "]}}");

  /** The file's lines and the messages of the records it refused. */
  record Written(List<String> lines, List<String> errors) {}

  private static Written write(Converter converter) throws Exception {
    converter.configure(Map.of("schemas.enable", "false"), false);
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < PRODUCED.size(); i++) {
      byte[] bytes = PRODUCED.get(i).getBytes(StandardCharsets.UTF_8);
      records.add(record(null, converter.toConnectData(Fixtures.TOPIC, bytes).value(), 10 + i));
    }
    RecordFormat jsonl = RecordFormats.create(options(FileFormat.JSONL).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = jsonl.open(out, records.get(0), "k");
    List<String> errors = new ArrayList<>();
    for (SinkRecord r : records) {
      try {
        assertThat(jsonl.compatible(writer, r))
            .as("record at offset %d fits the file", r.kafkaOffset())
            .isTrue();
        writer.write(r);
      } catch (DataException e) {
        errors.add(e.getMessage());
      }
    }
    writer.finish();
    return new Written(
        new String(out.toByteArray(), StandardCharsets.UTF_8).lines().toList(), errors);
  }

  @Test
  void numbersKeepTheirDigitsInTheFileAndThoseRedshiftCannotHoldAreRefusedByField()
      throws Exception {
    Written file = write(new ExactJsonConverter());

    String fix =
        ". Make the producer send a number that fits, or let errors.tolerance=all send such records to the "
            + "dead letter queue.";
    assertThat(file.errors())
        .containsExactly(
            "Cannot write record orders/3/11 as JSON Lines: value field 'big' is an integer of 72 bits, "
                + "outside Redshift BIGINT (64-bit), the column type of whole numbers in schemaless records"
                + fix,
            "Cannot write record orders/3/12 as JSON Lines: value field 'amount' is a number of 40 digits, over "
                + "Redshift's 38 for DECIMAL"
                + fix,
            "Cannot write record orders/3/13 as JSON Lines: value field 'nested.deep[0]' is an integer of 72 bits, "
                + "outside Redshift BIGINT (64-bit), the column type of whole numbers in schemaless "
                + "records"
                + fix);
    assertThat(file.lines()).hasSize(2);
    assertThat(file.lines().get(0))
        .startsWith(
            "{\"id\":1,\"amount\":\""
                + DIGITS_38
                + "\",\"price\":1.5,"
                + "\"big\":9223372036854775807,");
    // a decimal column is a quoted number, read from its text (Redshift's advice for exact
    // numbers); inside SUPER it stays a number
    assertThat(file.lines().get(1))
        .startsWith("{\"id\":5,\"amount\":0.1,\"nested\":{\"deep\":[" + DIGITS_38 + "]},");
  }

  @Test
  void kafkaJsonConverterWritesOtherNumbersWithoutAWord() throws Exception {
    Written file = write(new JsonConverter());

    assertThat(file.errors()).isEmpty();
    assertThat(file.lines()).hasSize(5);
    // It also reads objects into a HashMap: the columns lose the producer's key order.
    assertThat(file.lines().get(0))
        .contains("\"amount\":1.2345678901234569E27,")
        .doesNotStartWith("{\"id\":1,");
    assertThat(file.lines().get(1)).as("2^70 as its low 64 bits").contains("\"big\":0,");
    assertThat(file.lines().get(2)).contains("\"amount\":1.2345678901234568E37,");
  }
}
