package dev.attest.engine.audit;

import dev.attest.core.findings.Finding;
import dev.attest.io.arrow.DuckTableSink;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.duckdb.DuckDBConnection;

/** Streams findings into a DuckDB table as Arrow batches. */
public final class FindingSink implements Consumer<Finding>, AutoCloseable {
    public static final List<Field> FIELDS = List.of(
            DuckTableSink.utf8("code"), DuckTableSink.utf8("severity"), DuckTableSink.utf8("event_id"),
            DuckTableSink.utf8("decision_id"), DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("meter"),
            DuckTableSink.timestamp("event_time"), DuckTableSink.timestamp("decided_at"),
            DuckTableSink.decimal("expected_amount"), DuckTableSink.decimal("actual_amount"),
            DuckTableSink.utf8("expected_outcome"), DuckTableSink.utf8("actual_outcome"), DuckTableSink.decimal("difference"),
            DuckTableSink.utf8("currency"), DuckTableSink.utf8("version_as_known"), DuckTableSink.utf8("version_as_corrected"),
            DuckTableSink.utf8("version_applied"), DuckTableSink.utf8("explanation"),
            // Money (issue 14), decided in core: the class, what the finding adds to it, correct minus billed.
            DuckTableSink.utf8("money_class"), DuckTableSink.decimal("money_amount"), DuckTableSink.decimal("money_effect"),
            DuckTableSink.utf8("invoice_id"));

    private final DuckTableSink sink;
    private long count;

    /** Creates (or replaces) {@code table}. */
    public FindingSink(DuckDBConnection conn, BufferAllocator allocator, String table) throws SQLException {
        this(conn, allocator, table, true);
    }

    /** @param create false: append to a table {@link #createTable} made (several sinks may fill it concurrently) */
    public FindingSink(DuckDBConnection conn, BufferAllocator allocator, String table, boolean create) throws SQLException {
        this.sink = new DuckTableSink(conn, allocator, table, FIELDS, 16_384, create);
    }

    public static void createTable(DuckDBConnection conn, String table) throws SQLException {
        DuckTableSink.createTable(conn, table, FIELDS);
    }

    @Override
    public void accept(Finding f) {
        sink.setString(0, f.code().name());
        sink.setString(1, f.severity().wire());
        sink.setString(2, f.eventId());
        sink.setString(3, f.decisionId());
        sink.setString(4, f.customerId());
        sink.setString(5, f.meter());
        sink.setInstant(6, f.eventTime());
        sink.setInstant(7, f.decidedAt());
        sink.setDecimal(8, f.expectedAmount());
        sink.setDecimal(9, f.actualAmount());
        sink.setString(10, f.expectedOutcome());
        sink.setString(11, f.actualOutcome());
        sink.setDecimal(12, f.difference());
        sink.setString(13, f.currency());
        sink.setString(14, f.versionAsKnown());
        sink.setString(15, f.versionAsCorrected());
        sink.setString(16, f.versionApplied());
        sink.setString(17, f.explanation());
        sink.setString(18, f.moneyClass() == null ? null : f.moneyClass().wire());
        sink.setDecimal(19, f.moneyAmount());
        sink.setDecimal(20, f.moneyEffect());
        sink.setString(21, f.invoiceId());
        count++;
        try {
            sink.endRow();
        } catch (SQLException e) {
            throw new IllegalStateException("writing findings to DuckDB failed: " + e.getMessage(), e);
        }
    }

    public long count() {
        return count;
    }

    @Override
    public void close() throws SQLException {
        sink.close();
    }
}
