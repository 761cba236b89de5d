package dev.attest.jobs.audit;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * What a user asked to audit. {@code asOf} is the knowledge cut-off; the launcher fills it with the run's
 * start when the user gave none, so that a request is always fully determined.
 *
 * <p>{@code checks} is a checks file (issue 14), or null. {@code tolerance} and {@code failOn} are the effective
 * values: the command line's when given, else the checks file's {@code tolerance.default} / {@code fail_on}, else 0 /
 * error (the caller resolves them); the file's per-currency and per-meter tolerances, severities and thresholds
 * are read from the file (pinned by its SHA-256 in the run identity and the manifest).
 */
public record AuditRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                           Instant asOf, BigDecimal tolerance, Duration lateAfter, Severity failOn, String assumeZone,
                           String customers, String checks, String carriedState) {
    public AuditRequest {
        if (events == null) throw new IllegalArgumentException("--events (or --events-sql) is required");
        if (decisions == null) throw new IllegalArgumentException("--decisions (or --decisions-sql) is required");
        if (policies == null || policies.isBlank()) throw new IllegalArgumentException("--policies is required");
        if (outDir == null) throw new IllegalArgumentException("--out is required");
        if (asOf == null) throw new IllegalArgumentException("the knowledge cut-off is required");
        if (tolerance == null) tolerance = BigDecimal.ZERO;
        if (tolerance.signum() < 0) throw new IllegalArgumentException("--tolerance must be >= 0");
        if (failOn == null) failOn = Severity.ERROR;
        if (from != null && to != null && !to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
        outDir = outDir.toAbsolutePath().normalize();
        // Absolute input paths: the manifest pins where the inputs were, and `attest verify` reads them from
        // any working directory.
        events = events.absolute();
        decisions = decisions.absolute();
        policies = InputSource.absolutePath(policies);
        customers = customers == null || customers.isBlank() ? null : InputSource.absolutePath(customers);
        checks = checks == null || checks.isBlank() ? null : InputSource.absolutePath(checks);
        if (carriedState != null && from == null) throw new IllegalArgumentException("a carried state needs --from");
    }

    /** Rated from the start of every period the window touches (no carried state). */
    public AuditRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                        Instant asOf, BigDecimal tolerance, Duration lateAfter, Severity failOn, String assumeZone, String customers,
                        String checks) {
        this(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, customers, checks, null);
    }

    /** Without a checks file. */
    public AuditRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                        Instant asOf, BigDecimal tolerance, Duration lateAfter, Severity failOn, String assumeZone, String customers) {
        this(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, customers, null, null);
    }

    /** Without a customers input: every customer is billed on UTC calendar months. */
    public AuditRequest(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                        Instant asOf, BigDecimal tolerance, Duration lateAfter, Severity failOn, String assumeZone) {
        this(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, null, null, null);
    }

    /** The same request with the customers input at {@code path} (null: none). */
    public AuditRequest withCustomers(String path) {
        return new AuditRequest(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, path, checks, carriedState);
    }

    /** The same request with the checks file at {@code path} (null: none). */
    public AuditRequest withChecks(String path) {
        return new AuditRequest(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, customers, path, carriedState);
    }

    /** The same request, rated from the carried state {@code id} (see {@link CarriedStates}); null: from the periods' starts. */
    public AuditRequest withCarriedState(String id) {
        return new AuditRequest(events, decisions, policies, outDir, from, to, asOf, tolerance, lateAfter, failOn, assumeZone, customers, checks, id);
    }

    /** The checks of the checks file (read again: its content is pinned by SHA-256), or {@link dev.attest.core.checks.Checks#NONE}. */
    public dev.attest.core.checks.Checks checksOrNone() {
        return dev.attest.io.checks.ChecksLoader.load(checks);
    }

    static String describe(InputSource s) {
        return s instanceof InputSource.Files f ? f.path() : "sql:" + ((InputSource.Sql) s).query();
    }
}
