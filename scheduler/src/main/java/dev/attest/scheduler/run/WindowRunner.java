package dev.attest.scheduler.run;

import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.alert.Alerts;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.ledger.Claim;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.window.Window;
import dev.attest.scheduler.window.WindowPlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Audits the due windows of a window schedule, oldest first, each as its own audit run: the windows the ledger
 * has unfinished (retries, claims of dead nodes) and the windows that fell due since the newest one it knows.
 * A window whose audit fails is retried (the launcher restarts the Batch job from its failed step) up to the
 * schedule's max_attempts, then marked FAILED and alerted.
 */
public final class WindowRunner {
    /** Bound on windows listed per pass, so that a misconfigured start date cannot make a pass endless. */
    static final int MAX_WINDOWS_PER_PASS = 10_000;

    private final WindowLedger ledger;
    private final AuditLauncher launcher;
    private final Alerts alerts;
    private final Node node;
    /** Consecutive tries per window that found the workspace held (the backoff's exponent). */
    private final Map<Instant, Integer> waits = new java.util.concurrent.ConcurrentHashMap<>();

    public WindowRunner(WindowLedger ledger, AuditLauncher launcher, Alerts alerts, Node node) {
        this.ledger = ledger;
        this.launcher = launcher;
        this.alerts = alerts;
        this.node = node;
    }

    public PassReport pass(AuditSchedule s) {
        Instant now = node.clock().instant();
        WindowPlan plan = s.plan();
        TreeMap<Instant, Window> todo = new TreeMap<>();
        for (LedgerRow r : ledger.unfinished(s.name())) todo.put(r.windowStart(), new Window(r.windowStart(), r.windowEnd(), r.dueAt()));
        Instant last = ledger.lastWindowStart(s.name());
        for (Window w : plan.due(last == null ? null : plan.windowAt(last).end(), now, MAX_WINDOWS_PER_PASS)) todo.putIfAbsent(w.start(), w);
        List<WindowResult> results = new ArrayList<>();
        for (Window w : todo.values()) {
            if (node.stopping()) break;
            WindowResult r = node.report(window(s, w));
            if (r != null) results.add(r);
        }
        return new PassReport(results, alerts.drainFailures());
    }

    /** Claims and audits one window; retries at once while the retry delay is zero. Null when there was nothing to do. */
    private WindowResult window(AuditSchedule s, Window w) {
        while (true) {
            Claim c = ledger.claim(s.name(), w, node.id(), node.clock().instant(), node.lease(), s.maxAttempts(), w.dueAt());
            if (c instanceof Claim.Claimed claimed) {
                WindowResult r = attempt(s, w, claimed);
                if (r.status() == WindowResult.Status.RETRY && s.retryDelay().isZero() && !node.stopping()) {
                    node.report(r); // the failed attempt is printed too, not only the one after it
                    continue;
                }
                return r;
            }
            if (c instanceof Claim.Abandoned a) {
                String msg = "node " + a.node() + " died during attempt " + a.attempts() + " of " + s.maxAttempts();
                alerts.send(s, new Alert.RunFailed(s.name(), w.start(), w.end(), a.attempts(), null, msg));
                return new WindowResult(s.name(), w, WindowResult.Status.FAILED, a.attempts(), false, null, 3, Map.of(), msg);
            }
            if (c instanceof Claim.Busy b)
                return new WindowResult(s.name(), w, WindowResult.Status.SKIPPED, 0, false, null, 0, Map.of(), "held by node " + b.node() + " until " + b.leaseUntil());
            if (c instanceof Claim.NotYet n)
                return new WindowResult(s.name(), w, WindowResult.Status.SKIPPED, 0, false, null, 0, Map.of(), "next attempt at " + n.notBefore());
            return null; // done or failed before: reported then
        }
    }

    private WindowResult attempt(AuditSchedule s, Window w, Claim.Claimed claimed) {
        Instant started = node.clock().instant();
        boolean late = started.isAfter(w.dueAt().plus(s.lateAfter()));
        AuditRequest request = new AuditRequest(s.events(), s.decisions(), s.policies(), s.out(), w.start(), w.end(),
                claimed.asOf() != null ? claimed.asOf() : w.dueAt(), s.tolerance(), s.lateDecisionAfter(), s.failOn(), s.assumeZone(), s.customers(),
                s.checks());
        // A night costs the night: start from the periods' state the previous window's audit left, when it still holds.
        try {
            String state = dev.attest.jobs.audit.CarriedStates.choose(request).stateId();
            if (state != null) request = request.withCarriedState(state);
        } catch (RuntimeException e) {
            // unreadable inputs: the audit itself reports them, as a bad input of this window
        }
        // What the run's summary.json reports about this attempt (and schedule.json, with the node, beside it).
        Map<String, String> context = new LinkedHashMap<>();
        context.put("schedule", s.name());
        context.put("window_start", w.start().toString());
        context.put("window_end", w.end().toString());
        context.put("due_at", w.dueAt().toString());
        context.put("started_at", started.toString());
        context.put("late", String.valueOf(late));
        context.put("attempt", String.valueOf(claimed.attempt()));
        AuditOutcome outcome;
        long epoch = claimed.epoch();
        try (Node.Heartbeat hb = node.heartbeat(() -> ledger.heartbeat(s.name(), w.start(), node.id(), epoch, node.clock().instant().plus(node.lease())))) {
            // Fenced: the run folder is published only while this claim still holds the window.
            outcome = launcher.run(request, context, () -> ledger.lost(s.name(), w.start(), node.id(), epoch));
        }
        Instant finished = node.clock().instant();
        String lost = ledger.lost(s.name(), w.start(), node.id(), epoch);
        if (lost != null) {
            // Paused or cut off past the lease: another node took the window over. Nothing of this attempt is
            // recorded (the fence kept its run folder unpublished); the holder's audit is the one that counts.
            waits.remove(w.start());
            return new WindowResult(s.name(), w, WindowResult.Status.SKIPPED, claimed.attempt(), late, null, 0, Map.of(),
                    "attempt abandoned: " + lost + "; nothing published");
        }
        if (outcome instanceof AuditOutcome.AlreadyRunning running) {
            // The workspace is held by another process: a former holder paused past its lease, still auditing. Wait
            // for it (doubling the wait up to the lease) without using up an attempt; once it ends, the fence has
            // kept it from publishing and this node restarts its Batch job.
            int k = waits.merge(w.start(), 1, Integer::sum);
            java.time.Duration wait = java.time.Duration.ofSeconds(1L << Math.min(k - 1, 20));
            if (wait.compareTo(node.lease()) > 0) wait = node.lease();
            Instant next = finished.plus(wait);
            String msg = "workspace held by another process (" + running.message() + "); waiting " + dev.attest.core.Durations.human(wait)
                    + ", next try at " + next;
            ledger.release(s.name(), w.start(), node.id(), epoch, next, msg);
            return new WindowResult(s.name(), w, WindowResult.Status.SKIPPED, claimed.attempt(), late, null, 0, Map.of(), msg);
        }
        waits.remove(w.start());
        if (outcome instanceof AuditOutcome.Completed c) {
            Map<String, Long> severities = RunFolders.severities(c.runDir());
            Map<String, Object> facts = new LinkedHashMap<>(context);
            facts.put("late", late); // typed in JSON
            facts.put("attempt", claimed.attempt());
            facts.put("node", node.id());
            RunFolders.writeScheduleFacts(c.runDir(), facts);
            ledger.finish(s.name(), w.start(), node.id(), epoch, new WindowLedger.Finish(LedgerRow.Status.DONE, w.end(), finished, late,
                    c.runDir().toString(), c.exitStatus(), late ? "ran late" : null, null, null, 0));
            if (late) alerts.send(s, new Alert.LateRun(s.name(), w.start(), w.end(), w.dueAt(), started));
            if (c.exitStatus() == 1)
                alerts.send(s, new Alert.Findings(s.name(), w.start(), w.end(), s.failOn(), RunFolders.atOrAbove(severities, s.failOn()), severities, c.runDir()));
            return new WindowResult(s.name(), w, WindowResult.Status.DONE, claimed.attempt(), late, c.runDir(), c.exitStatus(), severities,
                    late ? "ran late (due " + w.dueAt() + ", " + dev.attest.core.Durations.human(java.time.Duration.between(w.dueAt(), started)) + " late)" : "on time");
        }
        String step = outcome instanceof AuditOutcome.Failed f ? f.failedStep() : null;
        String message = message(outcome);
        boolean last = claimed.attempt() >= s.maxAttempts();
        ledger.finish(s.name(), w.start(), node.id(), epoch, new WindowLedger.Finish(last ? LedgerRow.Status.FAILED : LedgerRow.Status.RETRY, w.end(),
                finished, late, null, outcome.exitStatus(), message, last ? null : finished.plus(s.retryDelay()), null, 0));
        if (last) {
            alerts.send(s, new Alert.RunFailed(s.name(), w.start(), w.end(), claimed.attempt(), step, message));
            return new WindowResult(s.name(), w, WindowResult.Status.FAILED, claimed.attempt(), late, null, outcome.exitStatus(), Map.of(), message);
        }
        return new WindowResult(s.name(), w, WindowResult.Status.RETRY, claimed.attempt(), late, null, outcome.exitStatus(), Map.of(), message);
    }

    static String message(AuditOutcome o) {
        if (o instanceof AuditOutcome.BadInput b) return "bad input: " + b.message();
        if (o instanceof AuditOutcome.AlreadyRunning r) return "already running elsewhere: " + r.message();
        if (o instanceof AuditOutcome.Failed f) return (f.failedStep() == null ? "" : "step " + f.failedStep() + ": ") + f.message();
        return String.valueOf(o);
    }

}
