package dev.attest.app;

import dev.attest.core.findings.Money;
import dev.attest.io.duck.Duck;
import dev.attest.jobs.lifecycle.FindingDecision;
import dev.attest.jobs.lifecycle.FindingHistory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "findings", header = "Show a finding's history across runs, or a run's findings with their money class and effect.",
        sortOptions = false, description = {
        "With --fingerprint: first and last seen, and every decision on it (with --run also its money in that run).",
        "With --run alone: every finding of the run folder, one a line: fingerprint, code, severity, money class and effect",
        "(correct minus billed, in the currency's minor units: positive, the customer owes more).",
        "Exit status: 0 shown, 2 a fingerprint no run has reported, or RUN_DIR is not a run folder."})
public final class FindingsCommand implements Callable<Integer> {
    @Option(names = "--fingerprint", paramLabel = "FINGERPRINT", description = "The finding's fingerprint.")
    String fingerprint;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A run folder: its findings.parquet gives each finding's money class and effect.")
    Path run;

    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database (default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;

    @Override
    public Integer call() throws Exception {
        if (fingerprint == null && run == null) {
            System.err.println("attest: give --fingerprint, --run or both");
            return 2;
        }
        Path file = run == null ? null : run.resolve("findings.parquet");
        if (file != null && !Files.isRegularFile(file)) {
            System.err.println("attest: " + run + " is not a run folder: it has no findings.parquet");
            return 2;
        }
        if (fingerprint == null) {
            for (Map<String, Object> r : rows(file, null))
                System.out.println(r.get("fingerprint") + "  " + r.get("code") + "  " + r.get("severity") + "  " + money(r) + "  " + r.get("explanation"));
            return 0;
        }
        Optional<FindingHistory> found = LifecycleAccess.store(metadata).history(fingerprint.trim());
        List<Map<String, Object>> inRun = file == null ? List.of() : rows(file, fingerprint.trim());
        if (found.isEmpty() && inRun.isEmpty()) {
            System.err.println("attest: no audit run recorded in this metadata database has reported finding " + fingerprint.trim());
            return 2;
        }
        if (found.isPresent()) {
            FindingHistory h = found.get();
            System.out.println("fingerprint  " + h.fingerprint());
            System.out.println("code         " + h.code());
            System.out.println("first seen   " + h.firstSeenAt() + "  run " + h.firstSeenRun());
            System.out.println("last seen    " + h.lastSeenAt() + "  run " + h.lastSeenRun());
            System.out.println("runs         " + h.timesSeen());
            if (h.decisions().isEmpty()) System.out.println("decisions    none");
            for (FindingDecision d : h.decisions())
                System.out.println("decision     " + d.decidedAt() + "  " + d.kind() + (d.until() == null ? "" : " until " + d.until())
                        + (d.decidedBy() == null ? "" : "  by " + d.decidedBy()) + "  " + d.note());
        } else {
            System.out.println("fingerprint  " + fingerprint.trim());
            System.out.println("code         " + inRun.get(0).get("code"));
        }
        for (Map<String, Object> r : inRun) System.out.println("money        " + money(r) + (r.get("decision_id") == null ? "" : "  decision " + r.get("decision_id")));
        return 0;
    }

    private static List<Map<String, Object>> rows(Path file, String fingerprint) {
        try (Duck duck = Duck.inMemory()) {
            return duck.queryRows("SELECT fingerprint, code, severity, decision_id, currency, money_class, money_amount, money_effect, explanation "
                    + "FROM read_parquet(" + Duck.literal(file.toString()) + ")" + (fingerprint == null ? "" : " WHERE fingerprint = " + Duck.literal(fingerprint)));
        }
    }

    /** "overcharged, effect USD -0.50", "unverified USD 9.99 (effect unknown)", or "no money". */
    static String money(Map<String, Object> r) {
        String cls = (String) r.get("money_class");
        if (cls == null) return "no money";
        String cur = (String) r.get("currency");
        BigDecimal effect = (BigDecimal) r.get("money_effect");
        BigDecimal amount = (BigDecimal) r.get("money_amount");
        if (effect == null) return cls + " " + Money.format(cur, amount) + " (effect unknown)";
        return cls + ", effect " + Money.formatSigned(cur, effect);
    }
}
