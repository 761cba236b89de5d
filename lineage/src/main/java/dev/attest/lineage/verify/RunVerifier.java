package dev.attest.lineage.verify;

import dev.attest.io.input.InputException;
import dev.attest.io.input.InputFiles;
import dev.attest.lineage.manifest.RunManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of {@code attest verify}: whether the pinned inputs are still what the run read, and whether a
 * re-run's outputs are byte-identical to the digests the manifest pinned (and to the stored files).
 */
public final class RunVerifier {
    private RunVerifier() {}

    /** An input file that is no longer what the run read. */
    public record InputChange(String input, String path, String what) {
        @Override
        public String toString() {
            return input + " " + path + ": " + what;
        }
    }

    public enum Status { IDENTICAL, DIFFERENT, MISSING }

    /**
     * One output: the stored file against its manifest digest (was it changed after the run?) and the re-run's
     * file against the same digest (does the audit reproduce it?).
     */
    public record OutputCheck(String file, String manifestSha256, Status stored, Status rerun) {
        public Status overall() {
            if (stored == Status.MISSING || rerun == Status.MISSING) return Status.MISSING;
            if (stored == Status.DIFFERENT || rerun == Status.DIFFERENT) return Status.DIFFERENT;
            return Status.IDENTICAL;
        }
    }

    /** Every pinned input file (events, decisions, policies, customers) re-hashed; files added under an input's location count too. */
    public static List<InputChange> inputChanges(RunManifest m) {
        List<InputChange> out = new ArrayList<>();
        List<RunManifest.Input> inputs = new ArrayList<>(List.of(m.events(), m.decisions()));
        if (m.customers() != null) inputs.add(m.customers());
        for (RunManifest.Input in : inputs) {
            if (!"files".equals(in.source())) continue; // a SQL input is pinned by its text, which the manifest holds
            Set<String> pinned = new LinkedHashSet<>();
            for (RunManifest.PinnedFile f : in.files()) {
                pinned.add(f.path());
                check(in.name(), f, out);
            }
            try {
                for (InputFiles.DataFile now : InputFiles.resolve(in.name(), in.location()))
                    if (!pinned.contains(now.name()) && !in.skipped().containsKey(now.name()))
                        out.add(new InputChange(in.name(), now.name(), "new file, not read by the run"));
            } catch (InputException e) {
                if (out.isEmpty()) out.add(new InputChange(in.name(), in.location(), e.getMessage()));
            }
        }
        if (m.checks() != null) check("checks", m.checks(), out);
        Set<String> pinnedPolicies = new LinkedHashSet<>();
        for (RunManifest.PinnedFile f : m.policyFiles()) {
            pinnedPolicies.add(f.path());
            check("policies", f, out);
        }
        if (!m.policyFiles().isEmpty()) {
            Path p = Path.of(m.policiesPath());
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.filter(Files::isRegularFile).sorted().toList())
                        if (!pinnedPolicies.contains(f.toString())) out.add(new InputChange("policies", f.toString(), "new file, not read by the run"));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + p, e);
                }
            }
        }
        return out;
    }

    private static void check(String input, RunManifest.PinnedFile f, List<InputChange> out) {
        Path p = Path.of(f.path());
        if (!Files.isRegularFile(p)) {
            out.add(new InputChange(input, f.path(), "missing"));
            return;
        }
        String sha = InputFiles.sha256(p);
        if (!sha.equals(f.sha256()))
            out.add(new InputChange(input, f.path(), "SHA-256 " + sha.substring(0, 12) + "... differs from the pinned " + f.sha256().substring(0, 12) + "..."));
    }

    /** Each output the manifest pins, checked in the stored run folder and in the re-run's folder. */
    public static List<OutputCheck> compare(RunManifest m, Path rerunDir) {
        List<OutputCheck> out = new ArrayList<>();
        for (RunManifest.PinnedFile o : m.outputs())
            out.add(new OutputCheck(o.path(), o.sha256(), status(m.runDir().resolve(o.path()), o.sha256()), status(rerunDir.resolve(o.path()), o.sha256())));
        // The manifest itself: the re-run's must pin the same inputs, parameters and output digests.
        Path stored = m.runDir().resolve("manifest.json");
        out.add(new OutputCheck("manifest.json", InputFiles.sha256(stored), Status.IDENTICAL,
                status(rerunDir.resolve("manifest.json"), InputFiles.sha256(stored))));
        return out;
    }

    private static Status status(Path file, String sha256) {
        if (!Files.isRegularFile(file)) return Status.MISSING;
        return InputFiles.sha256(file).equals(sha256) ? Status.IDENTICAL : Status.DIFFERENT;
    }

    /** The per-output table people read. */
    public static String table(List<OutputCheck> checks) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-26s %-14s %-10s %-10s %s%n", "output", "sha256", "stored", "re-run", "result"));
        for (OutputCheck c : checks)
            sb.append(String.format(Locale.ROOT, "%-26s %-14s %-10s %-10s %s%n", c.file(), c.manifestSha256().substring(0, 12), c.stored(), c.rerun(),
                    c.overall()));
        return sb.toString();
    }
}
