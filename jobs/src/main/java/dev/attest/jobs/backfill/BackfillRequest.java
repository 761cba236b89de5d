package dev.attest.jobs.backfill;

import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.backfill.Scope;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.input.InputSource;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a backfill re-rates: a window [from, to) on event_time, with the knowledge cut-off {@code asOf}
 * (what the books should say as known then). The window is required: a backfill is fleet-wide but bounded.
 */
public record BackfillRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                              Instant asOf, Scope scope, String assumeZone, String customers) {
    public BackfillRequest {
        if (events == null) throw new IllegalArgumentException("--events (or --events-sql) is required");
        if (decisions == null) throw new IllegalArgumentException("--decisions (or --decisions-sql) is required");
        if (policies == null || policies.isBlank()) throw new IllegalArgumentException("--policies is required");
        if (outDir == null) throw new IllegalArgumentException("--out is required");
        if (from == null || to == null) throw new IllegalArgumentException("--from and --to are required: a backfill names its window");
        if (!to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
        if (asOf == null) throw new IllegalArgumentException("the knowledge cut-off (--as-of) is required");
        if (scope == null) scope = Scope.CORRECTION;
        outDir = outDir.toAbsolutePath().normalize();
        customers = customers == null || customers.isBlank() ? null : InputSource.absolutePath(customers);
    }

    /** Without a customers input: every customer is billed on UTC calendar months. */
    public BackfillRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                           Instant asOf, Scope scope, String assumeZone) {
        this(events, decisions, policies, outDir, from, to, asOf, scope, assumeZone, null);
    }

    /** The window with each customer's billing cycle (contracts section 10), read from the customers input. */
    AuditWindow window() {
        return new AuditWindow(from, to, asOf, CustomersLoader.load(customers));
    }

    static String describe(InputSource s) {
        return s instanceof InputSource.Files f ? f.path() : "sql:" + ((InputSource.Sql) s).query();
    }
}
