package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.lifecycle.DecisionKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ack", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Acknowledge a finding: seen and being handled (it still fails the run).", sortOptions = false, description = {
                "Record in the metadata database that a finding (by its fingerprint, from findings.csv or report.html) is known"
                        + " and being handled. Later reports show it as acknowledged with the note; it still counts toward the exit "
                        + "status. Decisions are kept as a history; the latest one applies.",
                "Exit status: 0 recorded, 2 bad usage or a fingerprint no run has reported."})
public final class AckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "The finding's fingerprint.")
    String fingerprint;

    @Option(names = "--note", required = true, paramLabel = "TEXT", description = "Why, and who handles it.")
    String note;

    @Option(names = "--by", paramLabel = "NAME", description = "Who decides (default: the user name).")
    String by;

    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database (default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;

    @Override
    public Integer call() throws Exception {
        return LifecycleAccess.decide(metadata, fingerprint, DecisionKind.ACK, null, note, by, "acknowledged");
    }
}
