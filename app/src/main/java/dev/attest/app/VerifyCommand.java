package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.core.findings.Severity;
import dev.attest.io.Folders;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.lineage.manifest.RunManifest;
import dev.attest.lineage.verify.RunVerifier;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Re-run an audit from its manifest and check that every output is byte-identical.",
        sortOptions = false, description = {
                "Checks that each input file the manifest pins still has its SHA-256, re-runs the audit with the pinned inputs "
                        + "and parameters into a temporary folder, and compares every output's SHA-256 with the manifest: a table with "
                        + "one row per output, the stored file and the re-run each IDENTICAL, DIFFERENT or MISSING.",
                "Exit status: 0 every output identical, 1 an output differs or is missing, 2 an input changed (named) or "
                        + "RUN_DIR is not a run folder, 3 internal failure."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run folder to verify.")
    Path runDir;

    @Option(names = "--metadata", paramLabel = "JDBC_URL",
            description = "Run-history database for the re-run. Default: a throw-away in-memory one (the persistent history would "
                    + "recognise the completed audit and not run it again).")
    String metadata;

    @Option(names = "--history", paramLabel = "JDBC_URL",
            description = "Database holding the findings' history (first seen, acknowledgements) that report.html shows. Default: the "
                    + "metadata database (ATTEST_METADATA_URL, else ~/.attest/metadata). The re-run records nothing there when the "
                    + "run is already recorded; against a database that does not know the run, report.html can only match when the "
                    + "run was the first to see its findings.")
    String history;

    @Option(names = "--keep", description = "Keep the re-run's folder and print its path.")
    boolean keep;

    @Override
    public Integer call() throws IOException {
        RunManifest m;
        try {
            m = RunManifest.read(runDir.toAbsolutePath().normalize());
        } catch (RunManifest.NotARunFolder e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        List<RunVerifier.InputChange> changed = RunVerifier.inputChanges(m);
        if (!changed.isEmpty()) {
            System.err.println("attest: the inputs changed since run " + m.runId() + " was made; it cannot be reproduced from them:");
            for (RunVerifier.InputChange c : changed) System.err.println("  " + c);
            return 2;
        }
        if (!Main.class.getAnnotation(Command.class).version()[0].equals(m.programVersion()))
            System.err.println("attest: note: the run was made by " + m.programVersion() + ", this is "
                    + Main.class.getAnnotation(Command.class).version()[0]);
        Path tmp = Files.createTempDirectory("attest-verify-");
        try {
            AuditRequest request = request(m, tmp);
            if (m.carriedState() != null) {
                // The re-run starts from the same carried state: it lives beside the run folder, under the audit's --out.
                Path from = dev.attest.engine.state.StateStore.folder(m.runDir().getParent());
                Path to = Files.createDirectories(dev.attest.engine.state.StateStore.folder(tmp));
                for (String f : List.of(m.carriedState() + ".parquet", m.carriedState() + ".json")) {
                    if (!Files.isRegularFile(from.resolve(f))) {
                        System.err.println("attest: run " + m.runId() + " started from carried state " + m.carriedState() + ", which is gone from "
                                + from + "; it cannot be reproduced");
                        return 2;
                    }
                    Files.copy(from.resolve(f), to.resolve(f));
                }
            }
            String url = metadata != null ? metadata : "jdbc:h2:mem:attest-verify-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
            AuditOutcome outcome;
            try (ConfigurableApplicationContext ctx = AttestBoot.start(url, Map.of("attest.lifecycle.url", Metadata.url(history)))) {
                outcome = ctx.getBean(AuditLauncher.class).run(request, context(m));
            }
            if (!(outcome instanceof AuditOutcome.Completed c)) {
                System.err.println("attest: the re-run did not complete:");
                return AuditCommand.report(outcome);
            }
            List<RunVerifier.OutputCheck> checks = RunVerifier.compare(m, c.runDir());
            System.out.print(RunVerifier.table(checks));
            long bad = checks.stream().filter(x -> x.overall() != RunVerifier.Status.IDENTICAL).count();
            System.out.println(bad == 0 ? "VERIFIED: every output of run " + m.runId() + " is reproduced byte for byte"
                    : "NOT VERIFIED: " + bad + " output(s) differ or are missing");
            if (keep) System.err.println("attest: the re-run is kept in " + c.runDir());
            return bad == 0 ? 0 : 1;
        } finally {
            if (!keep) Folders.deleteTree(tmp);
        }
    }

    /** The audit the manifest pins, written elsewhere. */
    static AuditRequest request(RunManifest m, Path out) {
        String lateAfter = m.parameter("late_after");
        return new AuditRequest(m.events().toSource(), m.decisions().toSource(), m.policiesPath(), out, instant(m.parameter("from")),
                instant(m.parameter("to")), Instant.parse(m.parameter("as_of")), new BigDecimal(m.parameter("tolerance")),
                lateAfter == null ? null : Duration.parse(lateAfter), Severity.parse(m.parameter("fail_on")), m.parameter("assume_zone"),
                m.customersPath(), m.checksPath(), m.carriedState());
    }

    /** The context the run was given (parameters.context.*), passed again so that summary.json is reproduced. */
    static Map<String, String> context(RunManifest m) {
        Map<String, String> out = new java.util.TreeMap<>();
        m.parameters().forEach((k, v) -> {
            if (k.startsWith("context.")) out.put(k.substring("context.".length()), v);
        });
        return out;
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

}
