package dev.attest.io.input;

import java.util.List;

/** The contract columns of the events and decisions inputs (contracts sections 1 and 3). */
public final class Contract {
    private Contract() {}

    /** How a column is parsed and what it becomes. */
    public enum Kind {
        /** VARCHAR; blank is null. */
        STRING("VARCHAR"),
        /** DECIMAL(38,9), exact. */
        DECIMAL("DECIMAL(38,9)"),
        /** TIMESTAMPTZ, an instant. */
        INSTANT("TIMESTAMPTZ"),
        /** 'charged' or 'denied'. */
        OUTCOME("VARCHAR"),
        /** Three letters, upper-cased. */
        CURRENCY("VARCHAR"),
        /** INTEGER. */
        INTEGER("INTEGER"),
        /** Canonical JSON object text: keys sorted, values strings; NULL when absent or empty. */
        DIMENSIONS("VARCHAR");

        private final String sqlType;

        Kind(String sqlType) {
            this.sqlType = sqlType;
        }

        public String sqlType() {
            return sqlType;
        }
    }

    public record Column(String name, Kind kind, boolean required, boolean nonNegative) {
        static Column req(String name, Kind kind) {
            return new Column(name, kind, true, false);
        }

        static Column opt(String name, Kind kind) {
            return new Column(name, kind, false, false);
        }
    }

    public static final List<Column> EVENTS = List.of(
            Column.req("event_id", Kind.STRING),
            Column.req("customer_id", Kind.STRING),
            Column.req("meter", Kind.STRING),
            new Column("quantity", Kind.DECIMAL, true, true),
            Column.req("event_time", Kind.INSTANT),
            Column.opt("ingested_at", Kind.INSTANT),
            Column.opt("value", Kind.DECIMAL),
            Column.opt("dimensions", Kind.DIMENSIONS));

    public static final List<Column> DECISIONS = List.of(
            Column.req("decision_id", Kind.STRING),
            Column.opt("event_id", Kind.STRING),
            Column.req("customer_id", Kind.STRING),
            Column.req("meter", Kind.STRING),
            Column.req("outcome", Kind.OUTCOME),
            Column.req("amount", Kind.DECIMAL),
            Column.req("currency", Kind.CURRENCY),
            Column.opt("price_policy_id", Kind.STRING),
            Column.opt("price_version", Kind.INTEGER),
            Column.opt("discount_policy_id", Kind.STRING),
            Column.opt("discount_version", Kind.INTEGER),
            Column.opt("entitlement_policy_id", Kind.STRING),
            Column.opt("entitlement_version", Kind.INTEGER),
            Column.req("decided_at", Kind.INSTANT),
            Column.opt("invoice_id", Kind.STRING));
}
