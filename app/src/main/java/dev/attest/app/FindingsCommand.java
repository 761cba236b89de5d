package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.lifecycle.FindingDecision;
import dev.attest.jobs.lifecycle.FindingHistory;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "findings", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Show a finding's history across runs: first and last seen, and every decision on it.", sortOptions = false,
        description = {
                "Exit status: 0 shown, 2 a fingerprint no run has reported."})
public final class FindingsCommand implements Callable<Integer> {
    @Option(names = "--fingerprint", required = true, paramLabel = "FINGERPRINT", description = "The finding's fingerprint.")
    String fingerprint;

    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database (default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;

    @Override
    public Integer call() throws Exception {
        Optional<FindingHistory> found = LifecycleAccess.store(metadata).history(fingerprint.trim());
        if (found.isEmpty()) {
            System.err.println("attest: no audit run recorded in this metadata database has reported finding " + fingerprint.trim());
            return 2;
        }
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
        return 0;
    }
}
