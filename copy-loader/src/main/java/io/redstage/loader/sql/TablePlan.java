package io.redstage.loader.sql;

import java.util.List;
import java.util.Map;

/**
 * What a batch does to its target table before loading: DDL (CREATE TABLE IF NOT EXISTS or ADD
 * COLUMN) and the target's columns afterwards (folded name to type, in table order) that the insert
 * maps by name.
 */
public record TablePlan(List<String> ddl, Map<String, RedshiftType> targetColumns) {}
