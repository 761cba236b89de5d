package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.io.input.InputException;
import dev.attest.lineage.explain.Explainer;
import dev.attest.lineage.manifest.RunManifest;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "explain", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Print the whole chain of one event or decision of a run: source row, versions, computation, findings.",
        sortOptions = false, description = {
                "Reads RUN/manifest.json, re-reads the pinned inputs and re-rates only the record's (customer, meter, "
                        + "month) partition, then prints: the source rows (file and row); the price, discount and entitlement versions "
                        + "that applied as known when the decision was made and as corrected at the run's cut-off, each with valid time, "
                        + "recorded_at and change_ref; the computation tier by tier with discount and rounding; the expected and actual "
                        + "outcome and amount; and the run's findings and lineage gaps for the record. Each finding's `explain` column "
                        + "holds this command, naming the run by its id.",
                "Exit status: 0 explained, 2 no such record or not a run folder, 3 internal failure."})
public final class ExplainCommand implements Callable<Integer> {
    static final class Target {
        @Option(names = "--event", paramLabel = "ID", description = "The event_id to explain.")
        String event;
        @Option(names = "--decision", paramLabel = "ID", description = "The decision_id to explain (with its event).")
        String decision;
    }

    @Parameters(index = "0", paramLabel = "RUN", description = "The run folder (the last line `attest audit` printed) or a lineage report "
            + "folder (`attest lineage`), or its id: found from the folder itself, the folder holding it, or the one above (as the "
            + "`explain` column of findings.csv and lineage_gaps.csv writes it).")
    String run;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Override
    public Integer call() {
        try {
            RunManifest manifest = RunManifest.readRunOrLineage(RunFolders.resolve(run, Path.of(""), java.util.List.of("manifest.json", "lineage.json")));
            Explainer.Outcome outcome = new Explainer(manifest).explain(target.event != null
                    ? new Explainer.Target.Event(target.event) : new Explainer.Target.Decision(target.decision));
            if (outcome instanceof Explainer.Outcome.NotFound nf) {
                System.err.println("attest: " + nf.message());
                return 2;
            }
            System.out.print(((Explainer.Outcome.Explained) outcome).text());
            return 0;
        } catch (RunManifest.NotARunFolder | InputException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
    }
}
