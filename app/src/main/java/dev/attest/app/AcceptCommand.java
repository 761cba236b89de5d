package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.lifecycle.DecisionKind;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "accept", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Accept a finding as a known risk until a date: it stops failing runs until then.", sortOptions = false,
        description = {
                "Record in the metadata database that a finding (by its fingerprint) is an accepted risk through DATE. Runs "
                        + "whose as-of date is on or before DATE show it as accepted and do not count it toward the exit status; a run "
                        + "after DATE that still reports it raises it again (shown as acceptance expired).",
                "Exit status: 0 recorded, 2 bad usage or a fingerprint no run has reported."})
public final class AcceptCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "The finding's fingerprint.")
    String fingerprint;

    @Option(names = "--until", required = true, paramLabel = "DATE", description = "Last day (YYYY-MM-DD, UTC) the acceptance holds.")
    LocalDate until;

    @Option(names = "--note", required = true, paramLabel = "TEXT", description = "Why the risk is accepted.")
    String note;

    @Option(names = "--by", paramLabel = "NAME", description = "Who decides (default: the user name).")
    String by;

    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database (default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;

    @Override
    public Integer call() throws Exception {
        return LifecycleAccess.decide(metadata, fingerprint, DecisionKind.ACCEPT, until, note, by, "accepted");
    }
}
