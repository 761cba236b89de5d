package dev.attest.jobs.audit;

import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.audit.RatePass;
import dev.attest.io.duck.Duck;
import java.nio.file.Path;

/**
 * Another engine for the audit's rating pass (issue 19: Apache Spark). The embedded engine (DuckDB joins and core's fold
 * on this JVM) is the default; an engine installed with {@link #install} rates instead, into the same workspace tables,
 * so staging, reconciliation and every writer of the run folder stay one code path and the outputs cannot drift apart.
 */
public interface AuditEngine {
    /**
     * What the rate step hands over. The engine must leave, in {@code duck}: {@code expected} (a view over
     * {@code expectedParquet}, rows in (customer_id, meter, event_time, event_id) order, {@link RatePass#EXPECTED_FIELDS}),
     * {@code findings_rate} (FindingSink's columns) and, when {@code statesOut} is not null, the window-end states there
     * ({@link RatePass#STATE_FIELDS}), those of {@code statesIn} that no event moved included.
     */
    record RateStep(Duck duck, AuditRequest request, PolicyRegistry registry, Reconciler.Params params, AuditWindow window,
                    Path workDir, Path expectedParquet, String statesIn, String statesOut) {
        public RateStep {
            if (duck == null || request == null || registry == null || params == null || window == null || workDir == null || expectedParquet == null)
                throw new IllegalArgumentException("a rate step needs its workspace, request, registry, parameters and window");
        }
    }

    RatePass.Result rate(RateStep step) throws Exception;

    /** Installs {@code engine} for this JVM's audits (null: the embedded engine again). */
    static void install(AuditEngine engine) {
        Installed.engine = engine;
    }

    /** The installed engine, or null for the embedded one. */
    static AuditEngine installed() {
        return Installed.engine;
    }

    /** Holder of the installed engine (an interface has no mutable fields). */
    final class Installed {
        private static volatile AuditEngine engine;

        private Installed() {}
    }
}
