package io.redstage.examples.data;

import java.math.BigDecimal;
import java.time.LocalDate;

/** One row of the source database's {@code customers} table, as the CDC generator last wrote it. */
public record Customer(
    long id,
    String firstName,
    String lastName,
    String email,
    String phone,
    String city,
    String country,
    String status,
    LocalDate registrationDate,
    BigDecimal lifetimeValue,
    long updatedAtMillis) {}
