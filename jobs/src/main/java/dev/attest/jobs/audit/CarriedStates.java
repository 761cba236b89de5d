package dev.attest.jobs.audit;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.state.StateStore;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSelection;
import dev.attest.io.input.InputSource;
import dev.attest.io.input.ScanBounds;
import dev.attest.io.input.StagingReport;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.reports.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Incremental audits: which carried state (see {@link StateStore}) an audit of a window starts from, whether it still
 * holds, and the state it leaves for the next window. A state is used only when everything that made it is as it was:
 * it ends where the window starts, the inputs' locations, the policy registry and the customers are the same, no policy
 * version was recorded between its cut-off and this one, and every input file of the periods' earlier days is pinned by
 * it and unchanged (a file that arrived later, changed or went away could hold earlier rows), and the run that wrote it
 * published its run folder. After staging, rows read
 * from files the state does not pin that belong before the window (a late event, a late decision about an earlier
 * event) also void it. Then the whole audit rates from the periods' starts, as without a state, and says why.
 */
public final class CarriedStates {
    static final String FILE = "carried-state.json";
    /** Tables of the rate step: the states it starts from, and those it leaves at the window's end. */
    static final String IN = "period_state_in", OUT = "period_state_out";

    private CarriedStates() {}

    /** The state chosen for a request, or null with the reason none is used (null reason: none was looked for). */
    public record Choice(String stateId, String note) {}

    /** Looks for a state under the request's output folder that the audit of its window can start from. */
    public static Choice choose(AuditRequest r) {
        if (r.from() == null) return new Choice(null, null);
        if (!(r.events() instanceof InputSource.Files) || !(r.decisions() instanceof InputSource.Files))
            return new Choice(null, "a SQL input cannot be pinned file by file, so no state is carried");
        List<StateStore.Meta> all = StateStore.list(r.outDir());
        List<StateStore.Meta> ending = all.stream().filter(m -> m.through().equals(r.from())).toList();
        if (ending.isEmpty()) return new Choice(null, "no state in " + StateStore.folder(r.outDir()) + " ends at " + r.from());
        PolicyRegistry registry = new PolicyRegistry(PolicyLoader.load(r.policies()));
        String customers = StateStore.customersDigest(r.customers());
        String why = null;
        for (StateStore.Meta m : ending) {
            String reason = invalid(m, r, registry, customers);
            if (reason == null) return new Choice(m.id(), null);
            if (why == null) why = "state " + m.id() + " (written by run " + m.runId() + ") is not used: " + reason;
        }
        return new Choice(null, why);
    }

    static String invalid(StateStore.Meta m, AuditRequest r, PolicyRegistry registry, String customers) {
        // Only a published run's state: a run that failed after rating (its run folder never written) is retried as it was.
        if (!Files.isRegularFile(r.outDir().resolve(m.runId()).resolve("manifest.json")))
            return "the run that wrote it (" + m.runId() + ") has no run folder under " + r.outDir();
        if (m.asOf().isAfter(r.asOf())) return "its cut-off " + m.asOf() + " is after this audit's " + r.asOf();
        if (!m.events().equals(AuditRequest.describe(r.events())) || !m.decisions().equals(AuditRequest.describe(r.decisions())))
            return "it was made from other inputs (" + m.events() + ", " + m.decisions() + ")";
        if (!m.registryDigest().equals(registry.digest())) return "the policy registry changed since (digest " + registry.digest() + ")";
        for (Policy p : registry.policies())
            for (PolicyVersion v : p.versions())
                if (v.recordedAt().isAfter(m.asOf()) && !v.recordedAt().isAfter(r.asOf()))
                    return "policy version " + p.policyId() + "@v" + v.version() + " was recorded at " + v.recordedAt()
                            + ", after the state's cut-off " + m.asOf();
        if (!m.customersDigest().equals(customers)) return "the customers input changed since";
        return staleFiles(m, r);
    }

    /** An input file of the periods' earlier days that the state does not pin as it is now, or null when there is none. */
    static String staleFiles(StateStore.Meta m, AuditRequest r) {
        AuditWindow window = new AuditWindow(r.from(), r.to(), r.asOf(), CustomersLoader.load(r.customers()));
        ScanBounds full = window.scanBounds(), carried = window.carriedFromState().scanBounds();
        Map<String, StateStore.Pinned> pinned = new HashMap<>();
        for (StateStore.Pinned p : m.files()) pinned.put(p.input() + "|" + p.path(), p);
        for (String input : List.of("events", "decisions")) {
            String spec = ((InputSource.Files) ("events".equals(input) ? r.events() : r.decisions())).path();
            List<InputFiles.DataFile> tonight = InputSelection.select(input, spec, carried.from(input), carried.to(input)).read();
            for (InputFiles.DataFile f : InputSelection.select(input, spec, full.from(input), full.to(input)).read()) {
                boolean read = tonight.contains(f);
                if (read && InputSelection.partitionRange(f.path()) != null) continue; // a day of the window's own scope
                StateStore.Pinned p = pinned.get(input + "|" + f.name());
                if (p == null) return input + " file " + f.name() + " is not one the state was made from: it may hold rows of earlier days";
                if (!StateStore.unchanged(p)) return input + " file " + f.name() + " changed since the state was made";
            }
            for (StateStore.Pinned p : m.files())
                if (p.input().equals(input) && !Files.isRegularFile(Path.of(p.path())))
                    return input + " file " + p.path() + ", which the state was made from, is gone";
        }
        return null;
    }

    /**
     * After staging from the state: rows from files the state does not pin that belong before the window, or null when
     * there are none. A late event, or a late decision about an event before the window, changes the periods' earlier
     * part, which the state summarises.
     */
    static String lateRows(Duck duck, StateStore.Meta m, Instant from, StagingReport staging) {
        List<String> fresh = new ArrayList<>();
        Map<String, StateStore.Pinned> pinned = new HashMap<>();
        for (StateStore.Pinned p : m.files()) pinned.put(p.input() + "|" + p.path(), p);
        for (StagingReport.InputReport in : List.of(staging.events(), staging.decisions()))
            for (StagingReport.FileRead f : in.files()) {
                StateStore.Pinned p = pinned.get(in.input() + "|" + f.path());
                if (p == null || !p.sha256().equals(f.sha256())) fresh.add(Duck.literal(f.path()));
            }
        if (fresh.isEmpty()) return null;
        String files = fresh.stream().collect(Collectors.joining(", ", "(", ")"));
        String t = AuditWindow.literal(from);
        long events = duck.queryLong("SELECT count(*) FROM events WHERE event_time < " + t + " AND src_file IN " + files);
        if (events > 0) return events + " event(s) before the window's start arrived in files the state was not made from";
        long decisions = duck.queryLong("SELECT count(*) FROM decisions d WHERE d.src_file IN " + files + " AND (EXISTS (SELECT 1 FROM "
                + "events_elsewhere x WHERE x.event_id = d.event_id) OR EXISTS (SELECT 1 FROM events e WHERE e.event_id = d.event_id "
                + "AND e.event_time < " + t + "))");
        if (decisions > 0) return decisions + " decision(s) about events before the window's start arrived in files the state was not made from";
        return null;
    }

    /** What the stage step decided: the state asked for, whether it is used, and why not. */
    static void record(AuditWorkspace ws, String id, boolean used, String note) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", id);
        m.put("used", used);
        m.put("note", note);
        try {
            Json.write(ws.dir().resolve(FILE), m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the stage step kept the requested state (before it decided: yes). */
    static boolean used(AuditWorkspace ws) {
        Map<String, Object> m = read(ws);
        return m == null || Boolean.TRUE.equals(m.get("used"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(AuditWorkspace ws) {
        Path f = ws.dir().resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return Json.MAPPER.readValue(Files.readString(f), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files this run read, pinned, with those of the state it started from (a chain's earlier days). */
    static List<StateStore.Pinned> pins(StagingReport staging, StateStore.Meta parent) {
        List<StateStore.Pinned> own = new ArrayList<>();
        for (StagingReport.InputReport in : List.of(staging.events(), staging.decisions()))
            for (StagingReport.FileRead f : in.files()) own.add(StateStore.pin(in.input(), Path.of(f.path()), f.sha256()));
        return StateStore.merge(parent == null ? List.of() : parent.files(), own);
    }
}
