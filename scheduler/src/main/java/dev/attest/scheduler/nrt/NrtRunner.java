package dev.attest.scheduler.nrt;

import dev.attest.core.rating.BillingCycles;
import dev.attest.io.input.InputException;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.alert.Alerts;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.ledger.Claim;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.Node;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.Retention;
import dev.attest.scheduler.run.RunFolders;
import dev.attest.scheduler.run.WindowResult;
import dev.attest.scheduler.window.Window;
import dev.attest.scheduler.window.WindowPlan;
import dev.attest.scheduler.window.WindowSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Near-real-time audits. Event time is cut into fixed windows; on each tick the closed windows of each UTC calendar
 * month form one span [first window of the month, last closed window's end), the ledger's unit for that month.
 * Spans tile event time: every window belongs to exactly one span, and its findings are those of its span's latest
 * run inside the window. A span is audited again whenever a new window closed in it, or data arrived since its last
 * audit that can change its findings (a later latest arrival, or more rows; see {@link Arrivals#watched}).
 *
 * <p>Which data can change a span's findings: the rating fold is per (customer, meter, billing period), and a late
 * event changes the counters (tiers, quotas, volume's period total and first event) of the other events of its
 * customer's period, so findings of any window of that period may change. Without a customers input every period
 * is a UTC month, the span of that month: a span watches the rows of its month, and its latest run carries the
 * same findings as one audit of the month over the same data. The audit engine rates whole periods for any window
 * anyway, so auditing the month-to-date costs little more than auditing one window.
 *
 * <p>Period-to-date with customers on their own cycles (contracts section 10): a customer billed from the 15th in
 * Asia/Tokyo has periods [15th 00:00 JST, next 15th), which overlap two UTC months, so no tiling of event time
 * into spans can follow every customer's periods. The spans therefore stay UTC months, and what changes is what a
 * span watches: a row of customer c at data time t counts for every span that c's period holding t overlaps. An
 * event arriving late for 20 January of the Tokyo customer thus re-audits the January span and the February span,
 * whose windows up to 14 February belong to the same period. Each span's audit needs no wider window: for every
 * customer the audit rates every event of the periods its window touches (its earlier and later events, the whole
 * period's total) and reports findings only inside the window. So after any arrival, every window whose findings
 * it can change is covered by a later run, and the latest run covering a window (there is exactly one span per
 * window) carries that window's current findings, exactly as one audit of the whole range would. Customers whose
 * cycle is the UTC month keep watching their month only, and without a customers input the behaviour is that of
 * version 1. The cost: while windows close in the part of a period that lies in the next UTC month, data of
 * customers on such a cycle also re-audits the previous month's span (needed: it changes volume's period total).
 *
  * <p>Hold: data that lands in a window later than its end plus the hold is still audited (never silently
 * skipped), but the run is flagged late and a {@link Alert.LateData} alert names the window.
 */
public final class NrtRunner {
    private final WindowLedger ledger;
    private final AuditLauncher launcher;
    private final Alerts alerts;
    private final Node node;
    private final Landings landings;
    /** Consecutive tries per span that found the workspace held (the backoff's exponent), as {@code WindowRunner} keeps. */
    private final Map<Instant, Integer> waits = new java.util.concurrent.ConcurrentHashMap<>();

    public NrtRunner(WindowLedger ledger, Landings landings, AuditLauncher launcher, Alerts alerts, Node node) {
        this.ledger = ledger;
        this.landings = landings;
        this.launcher = launcher;
        this.alerts = alerts;
        this.node = node;
    }

    /** A tick (cron fire, start-up, --once): audits spans that closed windows or received data since their last audit. */
    public PassReport pass(AuditSchedule s) {
        return pass(s, true);
    }

    /**
     * A pass. {@code tick} false is a sweep (every few seconds in a long-lived node): it only takes over spans whose
     * claim expired and retries those whose retry is due; new data and newly closed windows wait for the cron's tick,
     * so that a schedule ticking every 5 minutes audits at most once per 5 minutes (issue 16, item 2).
     */
    public PassReport pass(AuditSchedule s, boolean tick) {
        Instant now = node.clock().instant();
        WindowPlan plan = s.plan();
        Duration length = ((WindowSpec.Fixed) s.window()).length();
        Instant closed = plan.floor(now.minus(s.allowance()));
        while (closed.isAfter(plan.origin()) && plan.dueAt(closed).isAfter(now)) closed = closed.minus(length);
        if (s.end() != null && closed.isAfter(s.end())) closed = plan.floor(s.end());
        List<WindowResult> results = new ArrayList<>();
        if (!closed.isAfter(plan.origin())) return new PassReport(results, alerts.drainFailures());
        List<Window> spans = new ArrayList<>();
        for (YearMonth m = month(plan.origin()); !start(m).isAfter(closed.minusNanos(1)); m = m.plusMonths(1)) {
            Instant spanStart = max(plan.origin(), start(m)), spanEnd = min(closed, start(m.plusMonths(1)));
            if (spanEnd.isAfter(spanStart)) spans.add(new Window(spanStart, spanEnd, plan.dueAt(spanEnd)));
        }
        // Every pass, sweeps included, notes the files that landed since the last one: their landing time is when the
        // data arrived, whichever pass then audits it.
        Map<String, Instant> landed = landings.look(s.name(), now, List.of(s.events(), s.decisions()), List.of("events", "decisions"));
        if (!tick) {
            List<Window> unfinished = new ArrayList<>();
            java.util.Set<Instant> open = new java.util.HashSet<>();
            for (LedgerRow r : ledger.unfinished(s.name())) open.add(r.windowStart());
            for (Window span : spans) if (open.contains(span.start())) unfinished.add(span);
            spans = unfinished;
            if (spans.isEmpty()) return new PassReport(results, alerts.drainFailures());
        }
        try (Arrivals arrivals = new Arrivals(s.events(), s.decisions(), landed, s.assumeZone())) {
            Map<Instant, Arrivals.Seen> watched = arrivals.watched(spans, cycles(s), plan.origin(), closed);
            for (Window span : spans) {
                if (node.stopping()) break;
                Arrivals.Seen seen = watched.getOrDefault(span.start(), new Arrivals.Seen(span.start(), null, 0));
                WindowResult r = node.report(span(s, plan, arrivals, length, span, seen, now));
                if (r != null) results.add(r);
            }
        }
        retain(s);
        return new PassReport(results, alerts.drainFailures());
    }

    private WindowResult span(AuditSchedule s, WindowPlan plan, Arrivals arrivals, Duration length, Window span, Arrivals.Seen seen, Instant now) {
        Instant asOf = now.truncatedTo(ChronoUnit.SECONDS);
        Optional<LedgerRow> before = ledger.find(s.name(), span.start());
        Instant previousWatermark = before.map(LedgerRow::watermark).orElse(null);
        int attempt;
        long epoch;
        if (before.isPresent() && (before.get().status() == LedgerRow.Status.DONE || before.get().status() == LedgerRow.Status.FAILED)) {
            // A failed span is tried again only when new data arrived: the data may be what was wrong.
            LedgerRow row = before.get();
            boolean changed = row.windowEnd().isBefore(span.end()) || row.seenRows() != seen.rows()
                    || (seen.latest() != null && (row.watermark() == null || seen.latest().isAfter(row.watermark())));
            if (!changed) return null;
            epoch = ledger.reclaim(s.name(), span.start(), node.id(), now, node.lease(), asOf, row.audits());
            if (epoch < 0) return null;
            attempt = 1;
        } else {
            Claim c = ledger.claim(s.name(), span, node.id(), now, node.lease(), s.maxAttempts(), asOf);
            if (c instanceof Claim.Claimed claimed) {
                attempt = claimed.attempt();
                epoch = claimed.epoch();
                if (claimed.asOf() != null) asOf = claimed.asOf();
            } else if (c instanceof Claim.Abandoned a) {
                String msg = "node " + a.node() + " died during attempt " + a.attempts() + " of " + s.maxAttempts();
                alerts.send(s, new Alert.RunFailed(s.name(), span.start(), span.end(), a.attempts(), null, msg));
                return new WindowResult(s.name(), span, WindowResult.Status.FAILED, a.attempts(), false, null, 3, Map.of(), msg);
            } else {
                return null;
            }
        }
        List<Arrivals.Late> late = s.hold() == null ? List.of()
                : arrivals.late(span.start(), span.end(), previousWatermark, plan.origin(), length, s.hold());
        Instant started = node.clock().instant();
        AuditRequest request = request(s, span, asOf);
        // A pass costs what arrived: when only windows after the last audit's end have news, audit just those, from the
        // periods' state the last audit left (issue 16). Re-claims of a completed span only: a retry or takeover audits
        // the whole span, so the restarted Batch job is always the one the first attempt started.
        String tailFrom = null, whole = null;
        if (attempt == 1 && before.isPresent() && before.get().status() == LedgerRow.Status.DONE) {
            Tail tail = tail(s, plan, arrivals, span, before.get(), asOf);
            if (tail.request() != null) {
                request = tail.request();
                tailFrom = request.from().toString();
            } else whole = tail.whyNot();
        }
        AuditOutcome outcome;
        try (Node.Heartbeat hb = node.heartbeat(() -> ledger.heartbeat(s.name(), span.start(), node.id(), epoch, node.clock().instant().plus(node.lease())))) {
            Map<String, String> context = new LinkedHashMap<>();
            context.put("schedule", s.name());
            context.put("mode", "near-real-time");
            context.put("started_at", started.toString());
            if (seen.latest() != null) context.put("latest_arrival", seen.latest().toString());
            context.put("rows_seen", String.valueOf(seen.rows()));
            if (tailFrom != null) context.put("span_start", span.start().toString());
            if (!late.isEmpty()) {
                long rows = 0;
                for (Arrivals.Late l : late) rows += l.rows();
                context.put("note", "late data: " + rows + " row(s) arrived after the " + s.hold() + " hold in " + late.size() + " window(s)");
            }
            outcome = launcher.run(request, context, () -> ledger.lost(s.name(), span.start(), node.id(), epoch));
        }
        String lost = ledger.lost(s.name(), span.start(), node.id(), epoch);
        if (lost != null) {
            waits.remove(span.start());
            return new WindowResult(s.name(), span, WindowResult.Status.SKIPPED, attempt, false, null, 0, Map.of(),
                    "attempt abandoned: " + lost + "; nothing published");
        }
        Instant finished = node.clock().instant();
        if (outcome instanceof AuditOutcome.AlreadyRunning running) {
            // The workspace is held by another process (a former holder paused past its lease, still auditing): give the
            // claim back without using up an attempt and try again after 1 s, 2 s, 4 s, ... up to the lease. The
            // watermark stays, so the data this pass saw is audited by the retry; burning attempts would FAIL the span.
            int k = waits.merge(span.start(), 1, Integer::sum);
            Duration wait = Duration.ofSeconds(1L << Math.min(k - 1, 20));
            if (wait.compareTo(node.lease()) > 0) wait = node.lease();
            Instant next = finished.plus(wait);
            String msg = "workspace held by another process (" + running.message() + "); waiting " + dev.attest.core.Durations.human(wait)
                    + ", next try at " + next;
            ledger.release(s.name(), span.start(), node.id(), epoch, next, msg);
            return new WindowResult(s.name(), span, WindowResult.Status.SKIPPED, attempt, false, null, 0, Map.of(), msg);
        }
        waits.remove(span.start());
        boolean isLate = !late.isEmpty();
        if (outcome instanceof AuditOutcome.Completed c) {
            Map<String, Long> severities = RunFolders.severities(c.runDir());
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("schedule", s.name());
            facts.put("mode", "near-real-time");
            facts.put("window_start", span.start().toString());
            facts.put("window_end", span.end().toString());
            facts.put("as_of", asOf.toString());
            facts.put("latest_arrival", seen.latest() == null ? null : seen.latest().toString());
            facts.put("rows_seen", seen.rows());
            facts.put("late", isLate);
            facts.put("started_at", started.toString());
            facts.put("node", node.id());
            // What this run audited: the whole span, or (from a carried state) only its windows from audit_from on.
            facts.put("audit_from", request.from().toString());
            if (request.carriedState() != null) facts.put("carried_state", request.carriedState());
            // The span's current findings: this run's, and for the windows before audit_from those the span had.
            RunFolders.writeSpanFindings(c.runDir(), tailFrom == null ? null : Path.of(before.get().runDir()), request.from());
            // The digest of the span's findings, for the alert below and for retention (keep: a run whose findings changed is kept).
            String digest = RunFolders.spanFindingsDigest(c.runDir());
            facts.put("findings_digest", digest);
            RunFolders.writeScheduleFacts(c.runDir(), facts);
            ledger.finish(s.name(), span.start(), node.id(), epoch, new WindowLedger.Finish(LedgerRow.Status.DONE, span.end(), finished, isLate,
                    c.runDir().toString(), c.exitStatus(), isLate ? "late data in " + late.size() + " window(s)" : null, null,
                    seen.latest() == null ? Instant.EPOCH : seen.latest(), seen.rows()));
            for (Arrivals.Late l : late)
                alerts.send(s, new Alert.LateData(s.name(), l.windowStart(), l.windowStart().plus(length), l.rows(), l.latest(), s.hold()));
            // The findings alert goes out when the findings differ from those last alerted for this span (new ones,
            // resolved ones); a re-audit that finds the same again says nothing new.
            if (c.exitStatus() == 1 && ledger.alertFindings(s.name(), span.start(), digest))
                alerts.send(s, new Alert.Findings(s.name(), span.start(), span.end(), s.failOn(), RunFolders.atOrAbove(severities, s.failOn()), severities, c.runDir()));
            else if (c.exitStatus() != 1) ledger.alertFindings(s.name(), span.start(), "none");
            return new WindowResult(s.name(), span, WindowResult.Status.DONE, attempt, isLate, c.runDir(), c.exitStatus(), severities,
                    (before.isPresent() ? "re-audited: " + seen.rows() + " rows, latest arrival " + seen.latest() : "first audit")
                            + (tailFrom != null ? "; windows from " + tailFrom + " from the periods' state" : whole != null ? "; whole span: " + whole : ""));
        }
        String message = outcome instanceof AuditOutcome.Failed f ? (f.failedStep() == null ? "" : "step " + f.failedStep() + ": ") + f.message()
                : outcome instanceof AuditOutcome.BadInput b ? "bad input: " + b.message() : String.valueOf(outcome);
        boolean last = attempt >= s.maxAttempts();
        ledger.finish(s.name(), span.start(), node.id(), epoch, new WindowLedger.Finish(last ? LedgerRow.Status.FAILED : LedgerRow.Status.RETRY,
                span.end(), finished, isLate, null, outcome.exitStatus(), message, last ? null : finished.plus(s.retryDelay()), null, 0));
        if (last) alerts.send(s, new Alert.RunFailed(s.name(), span.start(), span.end(), attempt, null, message));
        return new WindowResult(s.name(), span, last ? WindowResult.Status.FAILED : WindowResult.Status.RETRY, attempt, isLate, null,
                outcome.exitStatus(), Map.of(), message);
    }

    /** A pass's audit of a span's later windows from a carried state, or (request null) why the whole span is audited. */
    private record Tail(AuditRequest request, String whyNot) {}

    /**
     * The audit of the span's windows after the last audit's end, started from the periods' state that audit kept, or
     * why the whole span must be audited: this pass closes its last window, rows arrived (or went) for the windows it
     * already covered (their findings may change: a late event moves its period's counters), the state it kept is not
     * usable ({@link dev.attest.jobs.audit.CarriedStates}: inputs, policies or customers changed, a file of earlier
     * days is not pinned), or its run folder has no span findings to carry on.
     */
    private Tail tail(AuditSchedule s, WindowPlan plan, Arrivals arrivals, Window span, LedgerRow last, Instant asOf) {
        Instant covered = last.windowEnd();
        if (last.runDir() == null || !covered.isAfter(span.start()) || !covered.isBefore(span.end()))
            return new Tail(null, "no window closed since its last audit");
        // The pass that closes the span's last window audits the whole span: a volume price follows its period's total,
        // so the amounts of earlier windows are provisional until then (contracts section 4; their findings say so),
        // and the month's final findings are exactly those of one audit of the month.
        Instant monthEnd = start(month(span.start()).plusMonths(1));
        if (!span.end().isBefore(monthEnd) || (s.end() != null && !span.end().isBefore(plan.floor(s.end()))))
            return new Tail(null, "its last window closed");
        if (!java.nio.file.Files.isRegularFile(Path.of(last.runDir()).resolve(RunFolders.SPAN_FINDINGS)))
            return new Tail(null, "its last run folder has no " + RunFolders.SPAN_FINDINGS);
        // The rows the span watched up to the last audit's end are the same as then: the same count, none newer.
        Arrivals.Seen before = arrivals.watched(List.of(span), cycles(s), plan.origin(), covered).get(span.start());
        long rows = before == null ? 0 : before.rows();
        Instant latest = before == null ? null : before.latest();
        if (rows != last.seenRows() || (latest != null && (last.watermark() == null || latest.isAfter(last.watermark()))))
            return new Tail(null, "rows arrived for windows audited before (" + rows + " rows, before " + last.seenRows() + ")");
        try {
            AuditRequest tail = request(s, new Window(covered, span.end(), span.dueAt()), asOf);
            dev.attest.jobs.audit.CarriedStates.Choice choice = dev.attest.jobs.audit.CarriedStates.choose(tail);
            return choice.stateId() == null ? new Tail(null, choice.note()) : new Tail(tail.withCarriedState(choice.stateId()), null);
        } catch (RuntimeException e) {
            return new Tail(null, e.getMessage()); // unreadable inputs or policies: the whole span's audit reports them
        }
    }

    /** The audit of a span with knowledge cut-off {@code asOf}, rated from the periods' starts. */
    public static AuditRequest request(AuditSchedule s, Window span, Instant asOf) {
        return new AuditRequest(s.events(), s.decisions(), s.policies(), s.out(), span.start(), span.end(), asOf,
                s.tolerance(), s.lateDecisionAfter(), s.failOn(), s.assumeZone(), s.customers(), s.checks());
    }

    /** Retention ({@code keep:}) after a pass; a failure to clean up is logged, it never fails the pass. */
    private void retain(AuditSchedule s) {
        if (s.keep() == null) return;
        try {
            Retention.apply(s, ledger);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(NrtRunner.class).warn("retention of schedule {} failed, run folders kept: {}", s.name(), e.toString());
        }
    }

    /**
     * The schedule's billing cycles, read again on each pass (the file may have changed since start-up). When it
     * has become unusable, the spans watch the rows of their UTC months only; the audits themselves then stop on
     * the bad input (exit 2), are retried and alerted, and once the file is fixed the spans watch by cycle again.
     */
    private static BillingCycles cycles(AuditSchedule s) {
        try {
            return s.cycles();
        } catch (InputException e) {
            return BillingCycles.calendarMonths();
        }
    }

    private static YearMonth month(Instant t) {
        return YearMonth.from(t.atOffset(ZoneOffset.UTC));
    }

    private static Instant start(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
