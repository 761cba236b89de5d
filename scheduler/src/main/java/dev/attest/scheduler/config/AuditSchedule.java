package dev.attest.scheduler.config;

import dev.attest.core.findings.Severity;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.input.InputSource;
import dev.attest.scheduler.window.WindowPlan;
import dev.attest.scheduler.window.WindowSpec;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One named audit schedule. {@code allowance}: how long after a window's end its data may still arrive (the
 * window is due at the first cron fire after end + allowance). {@code lateAfter}: a run that starts later than
 * due time + this is flagged late. {@code hold} (near-real-time only): how long a window keeps accepting late
 * data silently; data landing later still re-audits it, flagged late and alerted. {@code customers} (optional, null:
 * none): the customers input of contracts section 10, each customer's billing cycle; passed to every audit of the
 * schedule, and in near-real-time mode it decides which spans data that arrives can change. {@code checks} (optional,
 * null: none): a checks file (issue 14) passed to every audit; {@code tolerance} and {@code failOn} are already the
 * effective values (the schedule's own keys win over the checks file's). {@code keep} (optional, null: keep every run
 * folder): retention of a near-real-time schedule's run folders, see {@link Keep}.
 */
public record AuditSchedule(String name, Mode mode, String cron, ZoneId zone, WindowSpec window, Duration allowance,
                            Instant start, Instant end, Duration lateAfter, Duration hold,
                            InputSource events, InputSource decisions, String policies, String assumeZone,
                            BigDecimal tolerance, Duration lateDecisionAfter, Path out, Severity failOn,
                            int maxAttempts, Duration retryDelay, boolean logAlerts, List<URI> webhooks, String customers,
                            String checks, Keep keep) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    public enum Mode { WINDOWS, NEAR_REAL_TIME }

    /**
     * Retention ({@code keep: {passes: N}}): after each pass, a near-real-time span keeps the run folders of its last
     * {@code passes} passes, every run whose findings differ from those of the run before it, and the run the ledger
     * names as its current result; the other run folders are deleted, then the carried states no kept run refers to.
     * The ledger and the Batch history in the metadata database are never touched.
     */
    public record Keep(int passes) {
        public Keep {
            if (passes < 1) throw new IllegalArgumentException("keep.passes must be >= 1, got " + passes);
        }
    }

    public AuditSchedule {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("name must be 1-100 letters, digits, '_', '.' or '-', got '" + name + "'");
        if (mode == null) mode = Mode.WINDOWS;
        if (zone == null) zone = ZoneId.of("UTC");
        if (window == null) throw new IllegalArgumentException("window is required");
        if (allowance == null) allowance = Duration.ZERO;
        if (allowance.isNegative()) throw new IllegalArgumentException("window.allowance must be >= 0");
        if (start == null) throw new IllegalArgumentException("start is required (the first window's date)");
        if (end != null && !end.isAfter(start)) throw new IllegalArgumentException("end must be after start");
        if (lateAfter == null) lateAfter = Duration.ofMinutes(15);
        if (hold == null) hold = Duration.ZERO;
        if (mode == Mode.NEAR_REAL_TIME && !(window instanceof WindowSpec.Fixed))
            throw new IllegalArgumentException("a near-real-time schedule needs a fixed window length (window.length)");
        if (events == null || decisions == null || policies == null) throw new IllegalArgumentException("inputs.events, inputs.decisions and inputs.policies are required");
        if (tolerance == null) tolerance = BigDecimal.ZERO;
        if (out == null) throw new IllegalArgumentException("out is required");
        if (failOn == null) failOn = Severity.ERROR;
        if (maxAttempts < 1) throw new IllegalArgumentException("max_attempts must be >= 1");
        if (retryDelay == null) retryDelay = Duration.ZERO;
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        if (customers != null && customers.isBlank()) customers = null;
        if (checks != null && checks.isBlank()) checks = null;
        if (keep != null && mode != Mode.NEAR_REAL_TIME)
            throw new IllegalArgumentException("keep applies to near-real-time schedules (a windows schedule writes one run folder per window)");
        WindowPlan.parse(cron, zone); // fail now, naming the schedule, rather than at the first fire
    }

    /** Without retention: every run folder is kept. */
    public AuditSchedule(String name, Mode mode, String cron, ZoneId zone, WindowSpec window, Duration allowance,
                         Instant start, Instant end, Duration lateAfter, Duration hold,
                         InputSource events, InputSource decisions, String policies, String assumeZone,
                         BigDecimal tolerance, Duration lateDecisionAfter, Path out, Severity failOn,
                         int maxAttempts, Duration retryDelay, boolean logAlerts, List<URI> webhooks, String customers, String checks) {
        this(name, mode, cron, zone, window, allowance, start, end, lateAfter, hold, events, decisions, policies, assumeZone, tolerance,
                lateDecisionAfter, out, failOn, maxAttempts, retryDelay, logAlerts, webhooks, customers, checks, null);
    }

    /** The same schedule with retention {@code keep} (null: none). */
    public AuditSchedule withKeep(Keep keep) {
        return new AuditSchedule(name, mode, cron, zone, window, allowance, start, end, lateAfter, hold, events, decisions, policies, assumeZone,
                tolerance, lateDecisionAfter, out, failOn, maxAttempts, retryDelay, logAlerts, webhooks, customers, checks, keep);
    }

    /** Without a checks file (issue 14). */
    public AuditSchedule(String name, Mode mode, String cron, ZoneId zone, WindowSpec window, Duration allowance,
                         Instant start, Instant end, Duration lateAfter, Duration hold,
                         InputSource events, InputSource decisions, String policies, String assumeZone,
                         BigDecimal tolerance, Duration lateDecisionAfter, Path out, Severity failOn,
                         int maxAttempts, Duration retryDelay, boolean logAlerts, List<URI> webhooks, String customers) {
        this(name, mode, cron, zone, window, allowance, start, end, lateAfter, hold, events, decisions, policies, assumeZone, tolerance,
                lateDecisionAfter, out, failOn, maxAttempts, retryDelay, logAlerts, webhooks, customers, null, null);
    }

    /** Without a customers input: every customer is billed on UTC calendar months. */
    public AuditSchedule(String name, Mode mode, String cron, ZoneId zone, WindowSpec window, Duration allowance,
                         Instant start, Instant end, Duration lateAfter, Duration hold,
                         InputSource events, InputSource decisions, String policies, String assumeZone,
                         BigDecimal tolerance, Duration lateDecisionAfter, Path out, Severity failOn,
                         int maxAttempts, Duration retryDelay, boolean logAlerts, List<URI> webhooks) {
        this(name, mode, cron, zone, window, allowance, start, end, lateAfter, hold, events, decisions, policies, assumeZone, tolerance,
                lateDecisionAfter, out, failOn, maxAttempts, retryDelay, logAlerts, webhooks, null, null, null);
    }

    /** The billing cycle of each customer this schedule's customers input gives (all UTC calendar months without one). */
    public BillingCycles cycles() {
        return CustomersLoader.load(customers);
    }

    public WindowPlan plan() {
        return new WindowPlan(cron, zone, window, allowance, start, end);
    }
}
