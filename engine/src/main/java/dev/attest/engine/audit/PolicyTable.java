package dev.attest.engine.audit;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.io.arrow.DuckTableSink;
import java.sql.SQLException;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.duckdb.DuckDBConnection;

/** The registry's versions as a DuckDB table, for lineage joins (rule reference -> version -> change_ref). */
public final class PolicyTable {
    private PolicyTable() {}

    public static void write(DuckDBConnection conn, BufferAllocator allocator, PolicyRegistry registry) throws SQLException {
        try (DuckTableSink t = new DuckTableSink(conn, allocator, "policy_versions", List.of(
                DuckTableSink.utf8("policy_id"), DuckTableSink.int32("version"), DuckTableSink.utf8("kind"), DuckTableSink.utf8("meter"),
                DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("currency"), DuckTableSink.timestamp("valid_from"),
                DuckTableSink.timestamp("valid_to"), DuckTableSink.timestamp("recorded_at"), DuckTableSink.utf8("model"),
                DuckTableSink.utf8("change_ref"), DuckTableSink.utf8("author")), 4096)) {
            for (Policy p : registry.policies()) {
                for (PolicyVersion v : p.versions()) {
                    t.setString(0, p.policyId());
                    t.setInt(1, v.version());
                    t.setString(2, p.kind().wire());
                    t.setString(3, p.meter());
                    t.setString(4, p.customerId());
                    t.setString(5, p.currency());
                    t.setInstant(6, v.validFrom());
                    t.setInstant(7, v.validTo());
                    t.setInstant(8, v.recordedAt());
                    t.setString(9, v.rule().model());
                    t.setString(10, v.changeRef());
                    t.setString(11, v.author());
                    t.endRow();
                }
            }
        }
    }
}
