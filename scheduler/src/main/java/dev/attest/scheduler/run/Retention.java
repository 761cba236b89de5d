package dev.attest.scheduler.run;

import dev.attest.engine.state.StatePrune;
import dev.attest.engine.state.StateStore;
import dev.attest.io.Folders;
import dev.attest.reports.RunIndex;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retention of a near-real-time schedule's run folders ({@code keep: {passes: N}}, issue 16, item 10). Each pass
 * writes a full run folder per span it audits; after the pass, for each span (found by the schedule.json the
 * scheduler writes into its run folders) this keeps
 * <ul>
 * <li>the run folders of the span's last N passes,</li>
 * <li>every run whose findings differ from those of the run before it (the digest of the findings' code, severity
 *     and fingerprint, {@link RunFolders#findingsDigest}; a span's first run differs from nothing, so it is kept),</li>
 * <li>the run folder the ledger names as the span's current result, whatever its age,</li>
 * <li>for each window, the latest run that audited it (a pass from a carried state audits only the span's later
 *     windows; the earlier windows' findings stay those of the runs before it),</li>
 * </ul>
 * and deletes the others (renamed away first, so a reader never sees half a run folder). Then it removes the carried
 * states no remaining run folder refers to ({@link StatePrune}, as {@code attest state prune} does), but only those
 * whose writing run folder is gone and only while no audit is in flight under the --out folder (a state is written
 * before its run folder is published). The ledger, the Batch history and the landings in the metadata database are
 * never touched, so {@code attest runs} still lists every audit. Run folders without a schedule.json (audits by
 * hand, other schedules, a run that crashed between publishing and writing it) are never deleted.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String TRASH = ".attest-trash";

    private Retention() {}

    /** What a retention pass removed. */
    public record Result(int runFoldersDeleted, int runFoldersKept, int statesRemoved) {
        static final Result NONE = new Result(0, 0, 0);
    }

    /** {@code auditFrom}: where the run's audit started (the span's start, or a later window's for a run from a carried state). */
    private record Run(Path dir, Instant windowStart, Instant startedAt, String digest, Instant auditFrom) {}

    public static Result apply(AuditSchedule s, WindowLedger ledger) {
        if (s.keep() == null || s.mode() != AuditSchedule.Mode.NEAR_REAL_TIME || !Files.isDirectory(s.out())) return Result.NONE;
        Path out = s.out();
        Set<Path> current = new HashSet<>();
        for (LedgerRow r : ledger.rows(s.name())) if (r.runDir() != null) current.add(norm(Path.of(r.runDir())));
        Map<Instant, List<Run>> bySpan = new TreeMap<>();
        for (Run r : runs(out, s.name())) bySpan.computeIfAbsent(r.windowStart(), k -> new ArrayList<>()).add(r);
        List<Path> delete = new ArrayList<>();
        int kept = 0;
        for (List<Run> runs : bySpan.values()) {
            runs.sort(Comparator.comparing(Run::startedAt).thenComparing(r -> r.dir().getFileName().toString()));
            // A run of the span's later windows only (from a carried state) leaves the earlier windows' findings to the runs
            // before it: the latest run that audited each window is its evidence and stays.
            Set<Path> evidence = new HashSet<>();
            Instant coveredFrom = null;
            for (int i = runs.size() - 1; i >= 0; i--) {
                Run r = runs.get(i);
                if (coveredFrom == null || r.auditFrom().isBefore(coveredFrom)) {
                    evidence.add(r.dir());
                    coveredFrom = r.auditFrom();
                }
            }
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                boolean last = i >= runs.size() - s.keep().passes();
                boolean changed = i == 0 || !Objects.equals(r.digest(), runs.get(i - 1).digest());
                if (last || changed || evidence.contains(r.dir()) || current.contains(norm(r.dir()))) kept++;
                else delete.add(r.dir());
            }
        }
        for (Path dir : delete) remove(out, dir);
        int states = 0;
        if (!inFlight(out)) {
            List<StateStore.Meta> removed = StatePrune.prune(out, m -> !Files.isDirectory(out.resolve(m.runId())), false);
            states = removed.size();
        }
        if (!delete.isEmpty()) {
            try {
                RunIndex.write(out);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot rewrite {}: {}", out.resolve("index.html"), e.getMessage());
            }
            LOG.info("retention of schedule {}: {} run folder(s) deleted, {} kept, {} carried state(s) removed", s.name(), delete.size(), kept, states);
        }
        return new Result(delete.size(), kept, states);
    }

    /** The run folders under {@code out} that schedule {@code name} wrote in near-real-time mode. */
    private static List<Run> runs(Path out, String name) {
        List<Run> runs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(out)) {
            for (Path dir : dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".")).toList()) {
                Path facts = dir.resolve("schedule.json");
                if (!Files.isRegularFile(facts)) continue;
                JsonNode f;
                try {
                    f = JSON.readTree(Files.readString(facts));
                } catch (IOException | RuntimeException e) {
                    continue; // being written or removed by another node: left for the next pass
                }
                if (!name.equals(f.path("schedule").asString(null)) || !"near-real-time".equals(f.path("mode").asString(null))
                        || !f.hasNonNull("window_start") || !f.hasNonNull("started_at")) continue;
                String digest = f.hasNonNull("findings_digest") ? f.get("findings_digest").asString() : RunFolders.findingsDigest(dir);
                Instant spanStart = Instant.parse(f.get("window_start").asString());
                Instant auditFrom = f.hasNonNull("audit_from") ? Instant.parse(f.get("audit_from").asString()) : spanStart;
                runs.add(new Run(dir, spanStart, Instant.parse(f.get("started_at").asString()), digest, auditFrom));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
        return runs;
    }

    /** Moves the run folder out of the --out folder's listing at once, then deletes it. */
    private static void remove(Path out, Path dir) {
        Path trash = out.resolve(TRASH).resolve(dir.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(trash.getParent());
            Files.move(dir, trash);
        } catch (IOException e) {
            if (!Files.exists(dir)) return; // another node removed it first
            throw new UncheckedIOException("cannot remove run folder " + dir, e);
        }
        Folders.deleteTree(trash);
    }

    /** True while an audit's workspace exists under {@code out}: it may have written a state its run folder will name. */
    private static boolean inFlight(Path out) {
        Path work = out.resolve(".attest-work");
        if (!Files.isDirectory(work)) return false;
        try (Stream<Path> s = Files.list(work)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return true;
        }
    }

    private static Path norm(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
