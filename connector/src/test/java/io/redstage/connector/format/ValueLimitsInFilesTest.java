package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.TS;
import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.FileFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Values Redshift would reject never reach a file: each poison record is refused with a message
 * naming the record and the field, leaves no bytes behind, and the good records around it are in
 * the file, read back with parquet-java, Avro's reader or Jackson.
 */
class ValueLimitsInFilesTest {
  static final Schema STREET =
      SchemaBuilder.struct().name("Street").field("name", Schema.STRING_SCHEMA).build();
  static final Schema ORDER =
      SchemaBuilder.struct()
          .name("Order")
          .field("id", Schema.INT64_SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .field("street", STREET)
          .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
          .field("at", Timestamp.builder().optional().build())
          .field("day", org.apache.kafka.connect.data.Date.builder().optional().build())
          .build();
  static final String BIG = "x".repeat(100_000) + "\u20ac".repeat(41); // 100,123 UTF-8 bytes

  static Struct order(long id, String note) {
    return new Struct(ORDER)
        .put("id", id)
        .put("note", note)
        .put("street", new Struct(STREET).put("name", "Main St"))
        .put("tags", Arrays.asList("a", "b"));
  }

  static String formatName(FileFormat f) {
    return f == FileFormat.PARQUET ? "Parquet" : f == FileFormat.AVRO ? "Avro" : "JSON Lines";
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void poisonValuesAreRejectedByFieldAndGoodRecordsAroundThemAreWritten(FileFormat format)
      throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    Struct tooLong = order(1, BIG);
    Struct nestedTooLong = order(3, "n");
    nestedTooLong.getStruct("street").put("name", "y".repeat(70_000));
    Struct nul = order(5, "n").put("tags", Arrays.asList("a", "b\u0000c"));
    Struct surrogate = order(7, "broken \ud83d text");
    Struct year10000 =
        order(9, "n")
            .put(
                "at",
                Date.from(LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant()));
    Struct year0 =
        order(11, "n").put("day", new Date(LocalDate.of(0, 12, 31).toEpochDay() * 86_400_000L));
    List<SinkRecord> records = new ArrayList<>();
    long offset = 40;
    for (Struct poisonOrGood :
        Arrays.asList(
            tooLong,
            order(2, "\u20ac".repeat(21_845)),
            nestedTooLong,
            order(4, "ok"),
            nul,
            order(6, null),
            surrogate,
            order(8, "pair \ud83d\ude00 ok"),
            year10000,
            order(10, "ok"),
            year0,
            order(12, "last"))) {
      records.add(record(ORDER, poisonOrGood, offset++));
    }

    BytesOutput out = new BytesOutput();
    // The first record opens the file and is itself rejected: the file still takes the records
    // after it.
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    String as = " as " + formatName(format) + ": value field ";
    assertThat(errors)
        .containsExactly(
            "Cannot write record orders/3/40"
                + as
                + "'note' is a string of 100,123 UTF-8 bytes, over "
                + "varchar.max.bytes=65535 (Redshift VARCHAR max). Shorten it in the producer, set "
                + "behavior.on.oversize.string=truncate, or let errors.tolerance=all send such records to the dead "
                + "letter queue.",
            "Cannot write record orders/3/42"
                + as
                + "'street.name' is a string of 70,000 UTF-8 bytes, over the 65535 "
                + "bytes Redshift allows for a string inside a SUPER value. Shorten it in the producer, set "
                + "behavior.on.oversize.string=truncate, or let errors.tolerance=all send such records to the dead "
                + "letter queue.",
            "Cannot write record orders/3/44"
                + as
                + "'tags[1]' contains U+0000 (NUL) at character 1, which Redshift "
                + "VARCHAR and SUPER cannot hold. Clean the text in the producer (or with an SMT), or let "
                + "errors.tolerance=all send such records to the dead letter queue.",
            "Cannot write record orders/3/46"
                + as
                + "'note' contains an unpaired UTF-16 surrogate U+D83D at character "
                + "7, which UTF-8 cannot encode (the producer's text encoding is broken). Clean the text in the producer "
                + "(or with an SMT), or let errors.tolerance=all send such records to the dead letter queue.",
            "Cannot write record orders/3/48"
                + as
                + "'at' is the timestamp 253402300800000 ms since 1970 (year 10000), "
                + "outside the years 1 to 9999 that Redshift COPY reads. Fix the date in the producer, or let "
                + "errors.tolerance=all send such records to the dead letter queue.",
            "Cannot write record orders/3/50"
                + as
                + "'day' is the date 0000-12-31, outside the years 1 to 9999 that "
                + "Redshift COPY reads. Fix the date in the producer, or let errors.tolerance=all send such records to "
                + "the dead letter queue.");
    assertThat(writer.recordCount()).isEqualTo(6);
    Map<Long, String> notes = notesById(format, out.toByteArray());
    assertThat(notes).containsOnlyKeys(2L, 4L, 6L, 8L, 10L, 12L);
    assertThat(notes.get(2L)).as("65,535 bytes exactly fit").isEqualTo("\u20ac".repeat(21_845));
    assertThat(notes.get(8L)).isEqualTo("pair \ud83d\ude00 ok");
    assertThat(notes.get(12L)).isEqualTo("last");
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aKafkaTimestampOutsideTheYearsCopyReadsRejectsItsRecord(FileFormat format) throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    long year300000 = 9_404_918_380_800_000L;
    SinkRecord bad =
        new SinkRecord(
            "orders",
            3,
            null,
            null,
            ORDER,
            order(1, "n"),
            60,
            year300000,
            TimestampType.CREATE_TIME);
    SinkRecord good = record(ORDER, order(2, "ok"), 61);
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, bad, "k");
    assertThatThrownBy(() -> writer.write(bad))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot write record "
                + "orders/3/60 as "
                + formatName(format)
                + ": the Kafka record timestamp (metadata column kafka_timestamp) is the "
                + "timestamp 9404918380800000 ms since 1970 (year 300000), outside the years 1 to 9999 that Redshift COPY reads. "
                + "Fix the date in the producer, or let errors.tolerance=all send such records to the dead letter queue.");
    writer.write(good);
    writer.finish();
    assertThat(writer.recordCount()).isEqualTo(1);
    assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(2L);
  }

  /**
   * Connect's Time takes 24:00:00 (86,400,000 ms), and so does Redshift's TIME; JSON Lines wrote it
   * as 00:00:00 where Parquet and Avro kept it. Every format keeps it now, in a column and in a
   * struct alike.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aTimeOf24HoursIsKeptInEveryFormat(FileFormat format) throws Exception {
    Schema time = org.apache.kafka.connect.data.Time.builder().optional().build();
    Schema shift = SchemaBuilder.struct().name("Shift").field("ends", time).optional().build();
    Schema schema =
        SchemaBuilder.struct()
            .name("Clocked")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", time)
            .field("shift", shift)
            .build();
    long[][] clocks = {{86_399_999L, 0L}, {86_400_000L, 86_400_000L}};
    List<SinkRecord> records = new ArrayList<>();
    for (int id = 0; id < clocks.length; id++) {
      Struct value =
          new Struct(schema)
              .put("id", (long) id)
              .put("clock", new Date(clocks[id][0]))
              .put("shift", new Struct(shift).put("ends", new Date(clocks[id][1])));
      records.add(record(schema, value, id));
    }
    RecordFormat f = RecordFormats.create(options(format).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    assertThat(writeCollectingErrors(writer, records)).isEmpty();

    byte[] file = out.toByteArray();
    if (format == FileFormat.JSONL) {
      assertThat(FileReaders.jsonLines(file, false))
          .extracting(n -> n.get("clock").asText(), n -> n.get("shift").get("ends").asText())
          .containsExactly(
              tuple("23:59:59.999", "00:00:00.000"), tuple("24:00:00.000", "24:00:00.000"));
      return;
    }
    // the stored millis: java.time's LocalTime (a logical-type reader's) ends at 23:59:59.999...
    org.apache.avro.generic.GenericData raw = new org.apache.avro.generic.GenericData();
    assertThat(
            format == FileFormat.PARQUET
                ? FileReaders.parquet(file, raw)
                : FileReaders.avro(file, raw))
        .extracting(r -> r.get("clock"), r -> ((GenericRecord) r.get("shift")).get("ends"))
        .containsExactly(tuple(86_399_999, 0), tuple(86_400_000, 86_400_000));
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void truncationCutsColumnsToVarcharMaxBytesAndStringsInSuperTo65535(FileFormat format)
      throws Exception {
    RecordFormat f =
        RecordFormats.create(
            options(format).varcharMaxBytes(8).truncateOversizeStrings(true).build());
    Struct value =
        order(1, "abcdefg\u20ac tail"); // the euro sign would end at byte 10: cut before it
    // Avro delivers the whole nested column as one JSON text of at most 65535 bytes, so one cut
    // string cannot fit.
    int nested = format == FileFormat.AVRO ? 65_000 : 70_000;
    value.getStruct("street").put("name", "s".repeat(nested));
    byte[] file =
        Fixtures.write(
            f, List.of(record(ORDER, value, 0), record(ORDER, order(2, "short"), 1)), "k");

    assertThat(notesById(format, file)).containsEntry(1L, "abcdefg").containsEntry(2L, "short");
    int cut = Math.min(nested, WarehouseLimits.VARCHAR_MAX_BYTES);
    assertThat(f.truncatedStrings()).isEqualTo(format == FileFormat.AVRO ? 1 : 2);
    if (format == FileFormat.JSONL) {
      JsonNode row = FileReaders.jsonLines(file, false).get(0);
      assertThat(row.get("street").get("name").asText()).hasSize(cut);
    } else {
      List<GenericRecord> rows =
          format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file);
      assertThat(((GenericRecord) rows.get(0).get("street")).get("name").toString()).hasSize(cut);
    }
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void datesAndDecimalsTooFarOutToComputeAreRejectedNotWrappedOrExpanded(FileFormat format)
      throws Exception {
    Schema schema =
        SchemaBuilder.struct()
            .name("Payment")
            .field("id", Schema.INT64_SCHEMA)
            .field("amount", Decimal.builder(2).optional().build())
            .field("day", org.apache.kafka.connect.data.Date.builder().optional().build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).build());
    List<SinkRecord> records =
        List.of(
            // 2^32 + 19,000 days out: Connect's Date.fromLogical casts the day count to int,
            // 2022-01-08
            record(
                schema,
                new Struct(schema)
                    .put("id", 1L)
                    .put("day", new Date(((1L << 32) + 19_000) * 86_400_000L)),
                0),
            // rescaled to two decimal places, it would have two billion digits
            record(
                schema,
                new Struct(schema).put("id", 2L).put("amount", new BigDecimal("1e2147483647")),
                1),
            record(
                schema,
                new Struct(schema)
                    .put("id", 3L)
                    .put("amount", new BigDecimal("12.50"))
                    .put("day", new Date(19_000 * 86_400_000L)),
                2),
            // all its digits beyond two places: rescaling it would first compute 10^399999998
            record(
                schema,
                new Struct(schema).put("id", 4L).put("amount", new BigDecimal("1E-400000000")),
                3));
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(2), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    assertThat(errors).hasSize(3);
    assertThat(errors.get(0))
        .startsWith("Cannot write record orders/3/0 as " + formatName(format))
        .contains("'day' is the date +11")
        .contains("outside the years 1 to 9999");
    assertThat(errors.get(1))
        .startsWith("Cannot write record orders/3/1 as " + formatName(format))
        .contains(
            "'amount' is decimal(38,2) but the value has 2147483648 digits before the decimal point");
    assertThat(errors.get(2))
        .startsWith("Cannot write record orders/3/3 as " + formatName(format))
        .contains("has 400000000 decimal places and cannot be stored without rounding");
    assertThat(writer.recordCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aSchemaOverRedshiftsColumnLimitCannotOpenAFile(FileFormat format) throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    // with the four metadata columns: 1,600 columns, then 1,601
    Schema widest = wide(1_596);
    RecordFileWriter w = f.open(new BytesOutput(), record(widest, new Struct(widest), 1), "k");
    assertThat(w.columns()).hasSize(1_600);
    w.abort();
    Schema tooWide = wide(1_597);
    assertThatThrownBy(
            () -> f.open(new BytesOutput(), record(tooWide, new Struct(tooWide), 2), "k"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Cannot write record orders/3/2 as " + formatName(format))
        .hasMessageContaining("its row would have 1601 columns")
        .hasMessageContaining("1600 a Redshift table holds");
  }

  private static Schema wide(int fields) {
    SchemaBuilder b = SchemaBuilder.struct().name("Wide" + fields);
    for (int i = 0; i < fields; i++) {
      b.field("f" + i, Schema.OPTIONAL_INT64_SCHEMA);
    }
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aDecimalSchemaOver38DigitsCannotOpenAFile(FileFormat format) {
    Schema schema =
        SchemaBuilder.struct()
            .name("Payment")
            .field(
                "amount",
                Decimal.builder(2).parameter("connect.decimal.precision", "40").optional().build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).build());
    // Even a null amount: the file's column would be decimal(40,2), which the loader cannot create.
    SinkRecord r = record(schema, new Struct(schema), 7);

    assertThatThrownBy(() -> f.open(new BytesOutput(), r, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Cannot write record orders/3/7 as " + formatName(format))
        .hasMessageContaining(
            "is decimal(40,2), which exceeds Redshift's 38 digits. Lower connect.decimal.precision");
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aDecimalSchemaWithScale38CannotOpenAFile(FileFormat format) {
    // Connect's Decimal has no precision parameter by default: 38 digits, all of them after the
    // point
    Schema schema =
        SchemaBuilder.struct()
            .name("Ratio")
            .field("share", Decimal.builder(38).optional().build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).build());
    SinkRecord r = record(schema, new Struct(schema), 8);

    assertThatThrownBy(() -> f.open(new BytesOutput(), r, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Cannot write record orders/3/8 as " + formatName(format))
        .hasMessageContaining("is decimal(38,38), whose scale exceeds Redshift's 37");
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void bytesOverVarbyteAndKeysWithNulAreRejected(FileFormat format) throws Exception {
    Schema schema =
        SchemaBuilder.struct()
            .name("Blob")
            .field("id", Schema.INT64_SCHEMA)
            .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("parts", SchemaBuilder.array(Schema.BYTES_SCHEMA).build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).keyColumnEnabled(true).build());
    // nested bytes reach SUPER as base64 from JSON Lines, as hex from Parquet and Avro (whose
    // nested column is also held to 65,535 chars of text as a whole)
    boolean base64 = format == FileFormat.JSONL;
    int nestedOk = base64 ? 49_149 : 32_000;
    int nestedOver = base64 ? 49_150 : 32_768;
    // a JSON Lines bytes column is hex text staged in a VARCHAR (COPY from JSON does not load
    // VARBYTE): 32,767 bytes at most
    int columnOk = base64 ? 32_767 : 64_000;
    List<SinkRecord> records =
        List.of(
            record(Schema.STRING_SCHEMA, "k0", schema, blob(schema, 0, columnOk, nestedOk), 0),
            record(Schema.STRING_SCHEMA, "k1", schema, blob(schema, 1, columnOk + 1, 1), 1),
            record(Schema.STRING_SCHEMA, "k2", schema, blob(schema, 2, 1, nestedOver), 2),
            record(Schema.STRING_SCHEMA, "k\u00003", schema, blob(schema, 3, 1, 1), 3),
            record(Schema.STRING_SCHEMA, "k4", schema, blob(schema, 4, 1, 1), 4));

    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    String as = " as " + formatName(format) + ": ";
    assertThat(errors)
        .containsExactly(
            "Cannot write record orders/3/1"
                + as
                + (base64
                    ? "value field 'blob' is 32,768 bytes, over the 32,767 whose hex text fits the VARCHAR in"
                        + " which the loader stages JSON Lines bytes. Use format.class=parquet (bytes up to"
                        + " 64,000), store large binary data elsewhere"
                    : "value field 'blob' is 64,001 bytes, over the 64,000 of Redshift's "
                        + "VARBYTE (the loader's column type for bytes). Store large binary data elsewhere")
                + " (e.g. an S3 object) "
                + "and send a reference, or let errors.tolerance=all send such records to the dead letter queue.",
            "Cannot write record orders/3/2"
                + as
                + (base64
                    ? "value field 'parts[0]' is 49,150 bytes, over the 49,149 whose base64 text "
                    : "value field 'parts[0]' is 32,768 bytes, over the 32,767 whose hex text ")
                + "fits a string inside a SUPER value. Store large binary data elsewhere (e.g. an S3 object) "
                + "and send a reference, or let errors.tolerance=all send such records to the dead letter queue.",
            "Cannot write record orders/3/3"
                + as
                + "the key contains U+0000 (NUL) at character 1, which Redshift "
                + "VARCHAR and SUPER cannot hold. Clean the text in the producer (or with an SMT), or let "
                + "errors.tolerance=all send such records to the dead letter queue.");
    assertThat(writer.recordCount()).isEqualTo(2);
    assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 4L);
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aNestedFieldNameWithNulIsRejectedInJsonLinesAndSanitisedInAvroAndParquet(FileFormat format)
      throws Exception {
    Schema inner =
        SchemaBuilder.struct().name("Inner").field("odd\u0000name", Schema.INT32_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .name("Outer")
            .field("id", Schema.INT64_SCHEMA)
            .field("inner", SchemaBuilder.array(inner).optional().build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).build());
    List<SinkRecord> records = new ArrayList<>();
    for (long id = 0; id < 3; id++) {
      Struct value =
          new Struct(schema)
              .put("id", id)
              .put("inner", id == 1 ? List.of(new Struct(inner).put("odd\u0000name", 7)) : null);
      records.add(record(schema, value, id));
    }

    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    if (format == FileFormat.JSONL) {
      assertThat(errors)
          .singleElement()
          .asString()
          .startsWith(
              "Cannot write record orders/3/1 as JSON Lines: value field "
                  + "'inner[0].odd\\u0000name' contains U+0000 (NUL) at character 3");
      assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 2L);
    } else {
      assertThat(errors).isEmpty();
      assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 1L, 2L);
    }
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aRowOverWhatCopyReadsIsRejectedInAvroAndJsonLines(FileFormat format) throws Exception {
    SchemaBuilder builder = SchemaBuilder.struct().name("Wide").field("id", Schema.INT64_SCHEMA);
    for (int i = 0; i < 70; i++) {
      builder.field("part" + i, Schema.OPTIONAL_STRING_SCHEMA);
    }
    Schema schema = builder.build();
    String part = "p".repeat(60_000); // 70 of them: 4.2 MB, each within a VARCHAR
    List<SinkRecord> records = new ArrayList<>();
    for (long id = 0; id < 3; id++) {
      Struct value = new Struct(schema).put("id", id);
      if (id == 1) {
        for (int i = 0; i < 70; i++) {
          value.put("part" + i, part);
        }
      }
      records.add(record(schema, value, id));
    }
    RecordFormat f = RecordFormats.create(options(format).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    if (format == FileFormat.PARQUET) {
      // COPY's scanner limit does not apply to columnar formats (Redshift's SUPER limitations)
      assertThat(errors).isEmpty();
      assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 1L, 2L);
      return;
    }
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("Cannot write record orders/3/1 as " + formatName(format) + ": its row is 4,2")
        .contains(
            format == FileFormat.AVRO
                ? "over the 3,936,000 Redshift COPY reads in one Avro data block (4 MB)"
                : "over the 4,000,000 Redshift COPY reads in one row (4 MB)");
    assertThat(writer.recordCount()).isEqualTo(2);
    assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 2L);
  }

  /**
   * A nested value whose JSON text passes a SUPER value's 16 MB while its encoding stays far below
   * the row's 4 MB: field names take a byte per char in the text and none in the row. Parquet
   * refuses it by its own count; Avro's VARCHAR and the JSON Lines row are smaller limits still.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aNestedValueOverWhatSuperHoldsIsRejected(FileFormat format) throws Exception {
    // {"nnn…":null} and a comma: 110 bytes per element, of which the count sees 107 (1 + 103 + 1
    // for
    // the struct, the field's name and its value, a separator after each of the two values)
    String name = "n".repeat(100);
    Schema cell =
        SchemaBuilder.struct().name("Cell").field(name, Schema.OPTIONAL_STRING_SCHEMA).build();
    Schema sparse =
        SchemaBuilder.struct()
            .name("Sparse")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("cells", SchemaBuilder.array(cell).build())
            .build();
    Struct empty = new Struct(cell);
    List<SinkRecord> records = new ArrayList<>();
    for (long id = 0; id < 3; id++) {
      int cells = id == 1 ? 160_000 : id == 2 ? 140_000 : 1;
      records.add(
          record(
              sparse,
              new Struct(sparse)
                  .put("id", id)
                  .put("cells", java.util.Collections.nCopies(cells, empty)),
              id));
    }
    RecordFormat f = RecordFormats.create(options(format).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    if (format == FileFormat.PARQUET) {
      assertThat(errors)
          .containsExactly(
              "Cannot write record orders/3/1 as Parquet: value field 'cells' is a nested value whose JSON "
                  + "text takes at least 17,120,000 bytes, over the 16,000,000 Redshift allows for a SUPER "
                  + "value (16 MB). Store large values elsewhere (e.g. an S3 object) and send a reference, or "
                  + "make the value smaller in the producer, or let errors.tolerance=all send such records to "
                  + "the dead letter queue.");
      assertThat(idsIn(format, out.toByteArray())).containsExactly(0L, 2L);
    } else {
      assertThat(errors)
          .hasSize(2)
          .allSatisfy(e -> assertThat(e).startsWith("Cannot write record orders/3/"));
      assertThat(idsIn(format, out.toByteArray())).containsExactly(0L);
    }
  }

  /** Writes every record, collecting each refusal's message, and finishes the file. */
  private static List<String> writeCollectingErrors(
      RecordFileWriter writer, List<SinkRecord> records) throws IOException {
    List<String> errors = new ArrayList<>();
    for (SinkRecord r : records) {
      try {
        writer.write(r);
      } catch (DataException e) {
        errors.add(e.getMessage());
      }
    }
    writer.finish();
    return errors;
  }

  private static Struct blob(Schema schema, long id, int blobBytes, int partBytes) {
    return new Struct(schema)
        .put("id", id)
        .put("blob", new byte[blobBytes])
        .put("parts", List.of(new byte[partBytes]));
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void onlyAvroLimitsTheJsonTextOfANestedColumn(FileFormat format) throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    String part = "t".repeat(22_000);
    // Each string fits, but as JSON text the array takes at least 3 x 22,003 = 66,009 bytes: Avro's
    // COPY
    // hands the loader nested columns as text in a VARCHAR(65535); Parquet and JSON Lines load them
    // into SUPER.
    SinkRecord wide = record(ORDER, order(1, "n").put("tags", List.of(part, part, part)), 0);
    SinkRecord narrow = record(ORDER, order(2, "n").put("tags", List.of(part, part)), 1);
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, narrow, "k");
    writer.write(narrow);
    if (format == FileFormat.AVRO) {
      assertThatThrownBy(() -> writer.write(wide))
          .isInstanceOf(DataException.class)
          .hasMessage(
              "Cannot write record orders/3/0 as Avro: value field 'tags' is a nested value whose JSON text "
                  + "takes at least 66,009 bytes, over the 65535 in which Redshift's Avro COPY delivers nested values. "
                  + "Use format.class=parquet or jsonl, which load nested values into SUPER directly, or make the value "
                  + "smaller in the producer, or let errors.tolerance=all send such records to the dead letter queue.");
    } else {
      writer.write(wide);
    }
    writer.finish();
    assertThat(notesById(format, out.toByteArray()))
        .containsOnlyKeys(format == FileFormat.AVRO ? new Long[] {2L} : new Long[] {2L, 1L});
  }

  /**
   * Avro's COPY renders nested timestamps as text ("2024-02-29 13:45:30.123000+00", at least 24
   * chars with quotes, and a comma), not as the 13 digits of the long the file holds: 3,000 of them
   * fit 65,535 as numbers but not as text, and passed the check to quarantine their whole unit at
   * COPY.
   */
  @Test
  void avroCountsNestedTimestampsAsTheTextCopyMakesOfThem() throws Exception {
    Schema times =
        SchemaBuilder.struct()
            .name("Times")
            .field("id", Schema.INT64_SCHEMA)
            .field("seen", SchemaBuilder.array(Timestamp.SCHEMA).build())
            .build();
    RecordFormat f = RecordFormats.create(options(FileFormat.AVRO).build());
    List<SinkRecord> records = new ArrayList<>();
    for (int id = 0; id < 2; id++) {
      List<Date> seen = new ArrayList<>();
      for (int i = 0; i < (id == 0 ? 2_000 : 3_000); i++) {
        seen.add(Date.from(TS));
      }
      records.add(record(times, new Struct(times).put("id", (long) id).put("seen", seen), id));
    }
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");

    assertThat(writeCollectingErrors(writer, records))
        .singleElement()
        .asString()
        .startsWith(
            "Cannot write record orders/3/1 as Avro: value field 'seen' is a nested value whose JSON "
                + "text takes at least 75,000 bytes");
    assertThat(writer.recordCount()).isEqualTo(1);
  }

  /**
   * An Avro file's header holds its schema, and Redshift's COPY reads headers of at most 1 MB: a
   * value schema whose Avro JSON passes it made files every COPY refused, each unit quarantined
   * whole. Its records are refused (the dead letter queue, or the task fails), naming the size and
   * what to do; Parquet and JSON Lines files take them.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void anAvroSchemaOverTheHeaderCopyReadsIsRefused(FileFormat format) throws Exception {
    SchemaBuilder part = SchemaBuilder.struct().name("Part").optional();
    for (int i = 0; i < 12; i++) {
      part.field("attribute_with_a_long_name_" + i, Schema.OPTIONAL_STRING_SCHEMA);
    }
    Schema partSchema = part.build();
    SchemaBuilder wide = SchemaBuilder.struct().name("Wide").field("id", Schema.INT64_SCHEMA);
    for (int i = 0; i < 1_000; i++) {
      wide.field("part_" + i, partSchema);
    }
    Schema wideSchema = wide.build();
    SinkRecord record = record(wideSchema, new Struct(wideSchema).put("id", 1L), 0);
    RecordFormat f = RecordFormats.create(options(format).build());
    if (format == FileFormat.AVRO) {
      assertThatThrownBy(() -> f.open(new BytesOutput(), record, "k"))
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("Cannot write record orders/3/0 as Avro: its Avro schema takes ")
          .hasMessageContaining(
              " bytes of JSON in the file header, over the 1 MB header Redshift's COPY reads. Use "
                  + "format.class=parquet or jsonl");
    } else {
      BytesOutput out = new BytesOutput();
      RecordFileWriter writer = f.open(out, record, "k");
      writer.write(record);
      writer.finish();
      assertThat(writer.recordCount()).isEqualTo(1);
    }
  }

  /**
   * The count of an Avro nested column's JSON text left out the comma after each value, and counted
   * a floating-point number or a decimal as one byte: an array of 40,000 small integers (80,001
   * bytes of text), of 6,000 doubles of 12 significant digits (about 90,000) or of 5,000 decimals
   * of 12 digits (about 70,000) passed it, and quarantined their whole unit at COPY. Arrays whose
   * text fits still pass, computed doubles among them.
   */
  @Test
  void avroCountsTheSeparatorsFloatsAndDecimalsOfANestedColumn() throws Exception {
    Schema amount = Decimal.builder(4).build();
    Schema lists =
        SchemaBuilder.struct()
            .name("Lists")
            .field("id", Schema.INT64_SCHEMA)
            .field("small", SchemaBuilder.array(Schema.INT8_SCHEMA).optional().build())
            .field("floats", SchemaBuilder.array(Schema.FLOAT64_SCHEMA).optional().build())
            .field("amounts", SchemaBuilder.array(amount).optional().build())
            .build();
    List<SinkRecord> records = new ArrayList<>();
    long[][] sizes = {
      {40_000, 0, 0}, {0, 6_000, 0}, {0, 0, 5_000}, {30_000, 4_000, 4_000}, {0, 6_000, 0}
    };
    for (int id = 0; id < sizes.length; id++) {
      Struct value = new Struct(lists).put("id", (long) id);
      if (sizes[id][0] > 0) {
        value.put("small", java.util.Collections.nCopies((int) sizes[id][0], (byte) 0));
      }
      if (sizes[id][1] > 0) {
        // the last record's are computed: 0.1 + 0.2 prints as 0.3 with 15 digits, as Redshift's
        // Postgres lineage prints a double, so the check must not count its 17 digits
        double each = id == 4 ? 0.1 + 0.2 : 0.123456789012;
        value.put("floats", java.util.Collections.nCopies((int) sizes[id][1], each));
      }
      if (sizes[id][2] > 0) {
        value.put(
            "amounts",
            java.util.Collections.nCopies((int) sizes[id][2], new BigDecimal("-12345678.9012")));
      }
      records.add(record(lists, value, id));
    }
    RecordFormat f = RecordFormats.create(options(FileFormat.AVRO).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(3), "k");

    assertThat(writeCollectingErrors(writer, records))
        .extracting(e -> e.substring(0, e.indexOf(" bytes, over the 65535")))
        .containsExactly(
            "Cannot write record orders/3/0 as Avro: value field 'small' is a nested value whose JSON "
                + "text takes at least 80,000",
            "Cannot write record orders/3/1 as Avro: value field 'floats' is a nested value whose JSON "
                + "text takes at least 84,000",
            "Cannot write record orders/3/2 as Avro: value field 'amounts' is a nested value whose JSON "
                + "text takes at least 70,000");
    assertThat(idsIn(FileFormat.AVRO, out.toByteArray())).containsExactly(3L, 4L);
  }

  /**
   * The JSON text of an Avro nested column is counted in UTF-8 bytes, with escapes, digits and
   * binary lengths, not in characters: each of these passed the old character count, and each would
   * take more than the 65,535 bytes Avro's COPY allows. The headers column is held to the same
   * limit. Parquet and JSON Lines load the same values into SUPER and take them all.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void avroCountsTheJsonTextOfANestedColumnInBytes(FileFormat format) throws Exception {
    Schema numbers =
        SchemaBuilder.struct()
            .name("Numbers")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("ids", SchemaBuilder.array(Schema.INT64_SCHEMA).optional().build())
            .field("blobs", SchemaBuilder.array(Schema.BYTES_SCHEMA).optional().build())
            .build();
    RecordFormat f = RecordFormats.create(options(format).headersColumnEnabled(true).build());
    String euros = "\u20ac".repeat(11_000); // 33,000 UTF-8 bytes in 11,000 characters
    String quotes = "\"".repeat(17_000); // 34,000 bytes as JSON text
    List<Long> bigIds = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      bigIds.add(100_000_000_000L + i); // 12 digits each
    }
    ConnectHeaders wideHeaders = new ConnectHeaders();
    wideHeaders.addString("trace", "h".repeat(40_000)).addString("span", "s".repeat(30_000));
    List<SinkRecord> records =
        List.of(
            numbersRecord(numbers, 1, List.of("ok"), null, null, null),
            numbersRecord(numbers, 2, List.of(euros, euros), null, null, null),
            numbersRecord(numbers, 3, List.of(quotes, quotes), null, null, null),
            numbersRecord(numbers, 4, List.of("ok"), bigIds, null, null),
            numbersRecord(
                numbers, 5, List.of("ok"), null, List.of(new byte[30_000], new byte[10_000]), null),
            numbersRecord(numbers, 6, List.of("ok"), null, null, wideHeaders),
            numbersRecord(numbers, 7, List.of(euros), bigIds.subList(0, 2_000), null, null));
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    if (format == FileFormat.AVRO) {
      String over = " bytes, over the 65535 in which Redshift's Avro COPY delivers nested values.";
      assertThat(errors)
          .allSatisfy(e -> assertThat(e).doesNotContain("hhhh", "\u20ac"))
          .extracting(e -> e.substring(0, e.indexOf(" Use format.class=")))
          .containsExactly(
              "Cannot write record orders/3/1 as Avro: value field 'tags' is a nested value whose "
                  + "JSON text takes at least 66,006"
                  + over,
              "Cannot write record orders/3/2 as Avro: value field 'tags' is a nested value whose "
                  + "JSON text takes at least 68,006"
                  + over,
              "Cannot write record orders/3/3 as Avro: value field 'ids' is a nested value whose "
                  + "JSON text takes at least 78,000"
                  + over,
              "Cannot write record orders/3/4 as Avro: value field 'blobs' is a nested value whose "
                  + "JSON text takes at least 80,006"
                  + over,
              "Cannot write record orders/3/5 as Avro: the header is a nested value whose "
                  + "JSON text takes at least 70,022"
                  + over);
      assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(1L, 7L);
    } else {
      assertThat(errors).isEmpty();
      assertThat(notesById(format, out.toByteArray())).hasSize(records.size());
    }
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void headerKeysAreCheckedLikeMapKeys(FileFormat format) throws Exception {
    RecordFormat f = RecordFormats.create(options(format).headersColumnEnabled(true).build());
    List<SinkRecord> records =
        List.of(
            headed(1, new ConnectHeaders().addString("trace_id", "a")),
            // a NUL in a name inside SUPER fails COPY for the whole unit
            headed(2, new ConnectHeaders().addString("trace\u0000id", "b")),
            headed(3, new ConnectHeaders().addString("k".repeat(65_536), "c")),
            headed(4, new ConnectHeaders().addString("span", "d")));
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    assertThat(errors).hasSize(2);
    assertThat(errors.get(0))
        .startsWith("Cannot write record orders/3/1 as " + formatName(format))
        .contains("[entry 0]")
        .contains("contains U+0000 (NUL)");
    assertThat(errors.get(1))
        .startsWith("Cannot write record orders/3/2 as " + formatName(format))
        .contains("is text of 65,536 UTF-8 bytes")
        .doesNotContain("kkkk");
    assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(1L, 4L);
  }

  /**
   * The headers column holds one SUPER value (one JSON object): headers whose text passes 16 MB in
   * all make the record bad, in every format, before their text is all built; they failed the
   * unit's COPY whole (Parquet), or could take the task's memory.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void headersWhoseTextPassesASuperValueMakeTheRecordBad(FileFormat format) throws Exception {
    ConnectHeaders many = new ConnectHeaders();
    String value = "v".repeat(60_000);
    for (int i = 0; i < 270; i++) {
      many.addString("h" + i, value);
    }
    BytesOutput out = new BytesOutput();
    List<String> errors = writeBetweenPlainHeaders(format, many, out);

    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("Cannot write record orders/3/1 as " + formatName(format) + ": the header")
        .contains("over the 16,000,000 Redshift allows for a SUPER value")
        .doesNotContain("vvvv");
    assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(1L, 3L);
  }

  /**
   * A header nested deeper than JSON text may be (Jackson writes at most 1,000 levels; Connect's
   * header converter parses any text, so 2 KB of brackets make one): the record goes to the error
   * handling naming the header. Before, Parquet and Avro stopped the task with "Cannot render JSON
   * text into memory" on every restart, and JSON Lines blamed the value.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aHeaderNestedDeeperThanJsonTextMayBeMakesTheRecordBad(FileFormat format) throws Exception {
    org.apache.kafka.connect.storage.SimpleHeaderConverter headerConverter =
        new org.apache.kafka.connect.storage.SimpleHeaderConverter();
    headerConverter.configure(Map.of());
    org.apache.kafka.connect.data.SchemaAndValue deep =
        headerConverter.toConnectHeader(
            "orders",
            "deep",
            ("[".repeat(1_100) + "1" + "]".repeat(1_100))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    BytesOutput out = new BytesOutput();
    List<String> errors =
        writeBetweenPlainHeaders(format, new ConnectHeaders().add("deep", deep), out);

    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith(
            "Cannot write record orders/3/1 as "
                + formatName(format)
                + ": header field '[deep]' is nested deeper than JSON text may be")
        .endsWith("Flatten the value at the source, or drop it with an SMT.");
    assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(1L, 3L);
  }

  /**
   * A value schema of 249 optional structs around an optional timestamp: its Avro text nests 1,001
   * levels of JSON, one more than Avro's Jackson writes. Opening a Parquet or Avro file for it
   * threw AvroRuntimeException, which no bad-record handling catches: the task stopped on every
   * restart, with errors.tolerance=all and a dead letter queue too. Now the record is bad, naming
   * the field. The same around an optional int32 (a plain "int", one level less: exactly 1,000) is
   * written, as JSON Lines, which has no schema text, writes both.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aValueSchemaNestedDeeperThanAnAvroSchemaMayBeMakesTheRecordBad(FileFormat format)
      throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    SinkRecord atLimit = nestedRecord(1, 249, Schema.OPTIONAL_INT32_SCHEMA);
    SinkRecord beyond = nestedRecord(2, 249, Timestamp.builder().optional().build());

    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, atLimit, "k");
    writer.write(atLimit);
    writer.finish();
    assertThat(notesById(format, out.toByteArray())).containsOnlyKeys(1L);

    if (format == FileFormat.JSONL) {
      BytesOutput jsonl = new BytesOutput();
      RecordFileWriter deep = f.open(jsonl, beyond, "k");
      deep.write(beyond);
      deep.finish();
      assertThat(notesById(format, jsonl.toByteArray())).containsOnlyKeys(2L);
      return;
    }
    assertThatThrownBy(() -> f.open(new BytesOutput(), beyond, "k"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot write record orders/3/1 as "
                + formatName(format)
                + ": value schema field 'deep' is nested too deep for an Avro or Parquet schema"
                + " (its Avro schema text would nest more than 1000 levels of JSON). Flatten it at"
                + " the source or with an SMT (Flatten, ReplaceField), or use format.class=jsonl.");

    // a key struct written as the key column nests in the same schema text
    Schema deepKey = beyond.valueSchema().field("deep").schema();
    SinkRecord keyed =
        new SinkRecord(
            "orders", 3, deepKey, new Struct(deepKey), atLimit.valueSchema(), atLimit.value(), 4);
    assertThatThrownBy(
            () ->
                RecordFormats.create(options(format).keyColumnEnabled(true).build())
                    .open(new BytesOutput(), keyed, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Cannot write record orders/3/4 as "
                + formatName(format)
                + ": the key schema is nested too deep for an Avro or Parquet schema");
  }

  /**
   * The nesting check counts what Avro writes, for every shape it nests: for each, the deepest
   * schema it lets through has Avro schema text at most 1,000 levels deep (read back from the
   * file's header, with a parser that takes more), and one level more, the first it refuses, would
   * be deeper (each level of a shape adds the same number of JSON levels).
   */
  @Test
  void theNestingCheckLetsThroughExactlyTheSchemasAvroCanWrite() throws Exception {
    // near the limit a schema takes thousands of frames to convert: a big stack, so that the
    // ladder finds Avro's limit, not the test thread's (see the next test)
    onStack(256L << 20, this::nestingLadder);
  }

  /**
   * A schema within Avro's limit may still exhaust a thread's stack on its way through the
   * conversion, Avro and parquet-avro (a thousand nested arrays, on a small stack): that is a bad
   * record too, not an error that stops the task.
   */
  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void aSchemaThatExhaustsTheStackMakesTheRecordBad(FileFormat format) throws Exception {
    RecordFormat f = RecordFormats.create(options(format).build());
    // loads every class on the way first, on the test's own stack
    f.open(
        new BytesOutput(),
        shapedRecord(s -> SchemaBuilder.array(s).build(), Schema.INT64_SCHEMA, 3),
        "k");
    SinkRecord deep = shapedRecord(s -> SchemaBuilder.array(s).build(), Schema.INT64_SCHEMA, 990);
    // on a small stack (what a compiled recursion uses a level varies; this leaves none to spare);
    // asserted back on the test's thread
    Throwable thrown = thrownOnStack(128L << 10, () -> f.open(new BytesOutput(), deep, "k"));
    assertThat(thrown)
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot write record orders/3/0 as "
                + formatName(format)
                + ": its value or key schema is nested too deep for an Avro or Parquet"
                + " schema (more levels than the task thread's stack holds). Flatten it at"
                + " the source or with an SMT (Flatten, ReplaceField), or use"
                + " format.class=jsonl.");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Runs {@code body} on a thread of {@code stackBytes}, rethrowing what it threw. */
  private static void onStack(long stackBytes, ThrowingRunnable body) throws Exception {
    Throwable thrown = thrownOnStack(stackBytes, body);
    if (thrown instanceof Exception) {
      throw (Exception) thrown;
    }
    if (thrown != null) {
      throw (Error) thrown;
    }
  }

  /** What {@code body} threw on a thread of {@code stackBytes}, or null. */
  private static Throwable thrownOnStack(long stackBytes, ThrowingRunnable body)
      throws InterruptedException {
    Throwable[] thrown = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                thrown[0] = e;
              }
            },
            "stack-" + stackBytes,
            stackBytes);
    t.start();
    t.join();
    return thrown[0];
  }

  private void nestingLadder() throws Exception {
    RecordFormat f = RecordFormats.create(options(FileFormat.AVRO).build());
    Map<String, java.util.function.UnaryOperator<Schema>> shapes = new LinkedHashMap<>();
    shapes.put("array", inner -> SchemaBuilder.array(inner).build());
    shapes.put("optional array", inner -> SchemaBuilder.array(inner).optional().build());
    shapes.put("map", inner -> SchemaBuilder.map(Schema.STRING_SCHEMA, inner).build());
    shapes.put(
        "map of int keys (array of entry records)",
        inner -> SchemaBuilder.map(Schema.OPTIONAL_INT32_SCHEMA, inner).build());
    shapes.put(
        "struct",
        inner -> SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).field("c", inner).build());
    for (Map.Entry<String, java.util.function.UnaryOperator<Schema>> shape : shapes.entrySet()) {
      for (Schema innermost : List.of(Schema.INT64_SCHEMA, Decimal.builder(2).optional().build())) {
        int accepted = 0;
        int refused = 1_100;
        while (refused - accepted > 1) {
          int levels = (accepted + refused) / 2;
          try {
            f.open(new BytesOutput(), shapedRecord(shape.getValue(), innermost, levels), "k");
            accepted = levels;
          } catch (DataException e) {
            assertThat(e).hasMessageContaining("is nested too deep for an Avro or Parquet schema");
            refused = levels;
          }
        }
        int deepest = schemaTextDepth(f, shapedRecord(shape.getValue(), innermost, accepted));
        int step =
            deepest - schemaTextDepth(f, shapedRecord(shape.getValue(), innermost, accepted - 1));
        assertThat(deepest)
            .as(shape.getKey() + " of " + innermost.type() + ": deepest let through")
            .isLessThanOrEqualTo(1_000);
        assertThat(deepest + step)
            .as(shape.getKey() + " of " + innermost.type() + ": first refused")
            .isGreaterThan(1_000);
      }
    }
  }

  /** How deep the Avro schema text in the header of a file of {@code record} nests. */
  private static int schemaTextDepth(RecordFormat f, SinkRecord record) throws IOException {
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, record, "k");
    writer.write(record);
    writer.finish();
    return jsonDepth(FileReaders.avro(out.toByteArray()).get(0).getSchema().toString());
  }

  /** {id, deep}: deep is {@code levels} applications of {@code shape} around {@code innermost}. */
  private static SinkRecord shapedRecord(
      java.util.function.UnaryOperator<Schema> shape, Schema innermost, int levels) {
    Schema deep = innermost;
    for (int i = 0; i < levels; i++) {
      deep = shape.apply(deep);
    }
    Schema schema =
        SchemaBuilder.struct()
            .name("Shaped")
            .field("id", Schema.INT64_SCHEMA)
            .field("deep", SchemaBuilder.array(deep).optional().build())
            .build();
    return new SinkRecord("orders", 3, null, null, schema, new Struct(schema).put("id", 1L), 0);
  }

  private static int jsonDepth(String text) throws IOException {
    com.fasterxml.jackson.core.JsonFactory factory =
        com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(10_000)
                    .build())
            .build();
    int depth = 0;
    int max = 0;
    try (com.fasterxml.jackson.core.JsonParser p = factory.createParser(text)) {
      for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t.isStructStart()) {
          max = Math.max(max, ++depth);
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
    }
    return max;
  }

  /** {id, note, deep}: deep holds {@code levels} optional structs, the innermost {x: inner}. */
  private static SinkRecord nestedRecord(long id, int levels, Schema inner) {
    Schema deep = SchemaBuilder.struct().name("L0").optional().field("x", inner).build();
    for (int i = 1; i < levels; i++) {
      deep = SchemaBuilder.struct().name("L" + i).optional().field("c", deep).build();
    }
    Schema schema =
        SchemaBuilder.struct()
            .name("Nested")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("deep", deep)
            .build();
    return new SinkRecord(
        "orders", 3, null, null, schema, new Struct(schema).put("id", id), id - 1);
  }

  /**
   * Writes order 2 with {@code headers} between orders 1 and 3 with plain ones into {@code out}, in
   * {@code format} with the headers column; returns the errors the writer reported.
   */
  private static List<String> writeBetweenPlainHeaders(
      FileFormat format, org.apache.kafka.connect.header.Headers headers, BytesOutput out)
      throws Exception {
    RecordFormat f = RecordFormats.create(options(format).headersColumnEnabled(true).build());
    List<SinkRecord> records =
        List.of(
            headed(1, new ConnectHeaders().addString("trace_id", "a")),
            headed(2, headers),
            headed(3, new ConnectHeaders().addString("span", "d")));
    return writeCollectingErrors(f.open(out, records.get(0), "k"), records);
  }

  private static SinkRecord headed(long id, org.apache.kafka.connect.header.Headers headers) {
    Schema schema =
        SchemaBuilder.struct()
            .name("Headed")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    return new SinkRecord(
        "orders",
        3,
        null,
        null,
        schema,
        new Struct(schema).put("id", id),
        id - 1,
        null,
        null,
        headers);
  }

  private static SinkRecord numbersRecord(
      Schema schema,
      long id,
      List<String> tags,
      List<Long> ids,
      List<byte[]> blobs,
      ConnectHeaders headers) {
    Struct value =
        new Struct(schema).put("id", id).put("tags", tags).put("ids", ids).put("blobs", blobs);
    return new SinkRecord("orders", 3, null, null, schema, value, id - 1, null, null, headers);
  }

  @Test
  void schemalessJsonLinesChecksEveryLevel() throws Exception {
    RecordFormat f = RecordFormats.create(options(FileFormat.JSONL).build());
    List<SinkRecord> records = new ArrayList<>();
    records.add(record(null, row(1, "note", "ok"), 0));
    records.add(record(null, row(2, "n", new BigDecimal("1E+50")), 1));
    records.add(record(null, row(3, "big", BigInteger.ONE.shiftLeft(64)), 2));
    records.add(record(null, row(4, "list", Arrays.asList("a", Map.of("deep", "b\u0000"))), 3));
    records.add(record(null, row(5, "when", new Date(WarehouseLimits.MAX_EPOCH_MILLIS + 1)), 4));
    records.add(record(null, row(6, "note", "z".repeat(65_536)), 5));
    records.add(
        record(null, row(7, "n", new BigDecimal("12345678901234567890123456789012345.678")), 6));
    records.add(record(null, row(8, "when", Date.from(TS)), 7));
    records.add(record(null, row(9, "attrs", Map.of("bad\u0000key", 1)), 8));

    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = f.open(out, records.get(0), "k");
    List<String> errors = writeCollectingErrors(writer, records);

    assertThat(errors).hasSize(6);
    assertThat(errors.get(0))
        .startsWith(
            "Cannot write record orders/3/1 as JSON Lines: value field 'n' is a number "
                + "of 51 digits, over Redshift's 38 for DECIMAL.");
    assertThat(errors.get(1))
        .startsWith(
            "Cannot write record orders/3/2 as JSON Lines: value field 'big' is an "
                + "integer of 66 bits, outside Redshift BIGINT");
    assertThat(errors.get(2))
        .startsWith(
            "Cannot write record orders/3/3 as JSON Lines: value field "
                + "'list[1].deep' contains U+0000 (NUL)");
    assertThat(errors.get(3))
        .startsWith(
            "Cannot write record orders/3/4 as JSON Lines: value field 'when' is the "
                + "timestamp 253402300800000 ms since 1970 (year 10000)");
    assertThat(errors.get(4))
        .startsWith(
            "Cannot write record orders/3/5 as JSON Lines: value field 'note' is a "
                + "string of 65,536 UTF-8 bytes, over varchar.max.bytes=65535");
    assertThat(errors.get(5))
        .startsWith(
            "Cannot write record orders/3/8 as JSON Lines: value field 'attrs[entry 0]' "
                + "contains U+0000 (NUL)");
    List<JsonNode> rows = FileReaders.jsonLines(out.toByteArray(), false);
    assertThat(rows).extracting(n -> n.get("id").asLong()).containsExactly(1L, 7L, 8L);
    assertThat(new BigDecimal(rows.get(1).get("n").textValue()))
        .isEqualByComparingTo("12345678901234567890123456789012345.678");
  }

  private static Map<String, Object> row(long id, String field, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put(field, value);
    return m;
  }

  /** The id column of every row of a file, by the format's own reader. */
  private static List<Long> idsIn(FileFormat format, byte[] file) {
    List<Long> ids = new ArrayList<>();
    if (format == FileFormat.JSONL) {
      FileReaders.jsonLines(file, false).forEach(n -> ids.add(n.get("id").asLong()));
      return ids;
    }
    (format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file))
        .forEach(r -> ids.add((Long) r.get("id")));
    return ids;
  }

  /** id to note of every row of a file, by the format's own reader. */
  private static Map<Long, String> notesById(FileFormat format, byte[] file) {
    Map<Long, String> notes = new LinkedHashMap<>();
    if (format == FileFormat.JSONL) {
      for (JsonNode n : FileReaders.jsonLines(file, false)) {
        notes.put(n.get("id").asLong(), n.get("note").isNull() ? null : n.get("note").asText());
      }
      return notes;
    }
    List<GenericRecord> rows =
        format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file);
    for (GenericRecord r : rows) {
      Object note = r.get("note");
      notes.put((Long) r.get("id"), note == null ? null : note.toString());
    }
    return notes;
  }
}
