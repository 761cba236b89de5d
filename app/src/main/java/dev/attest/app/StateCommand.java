package dev.attest.app;

import dev.attest.engine.state.StatePrune;
import dev.attest.engine.state.StateStore;
import dev.attest.jobs.ProgramVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The carried period states of an --out folder (incremental audits): list them, remove those no kept run refers to. */
@Command(name = "state", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT, header = "List or prune the carried period states of an --out folder (incremental audits).",
        description = {"Each audit of a window keeps the periods' state at its end under OUT/.attest-state/, for the audit of the next "
                + "window. 'list' shows them; 'prune' removes those that no run folder under OUT started from or wrote (the run folders "
                + "you keep pin the states that reproduce them)."},
        subcommands = {StateCommand.ListStates.class, StateCommand.Prune.class})
public final class StateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("attest: say 'attest state list --out DIR' or 'attest state prune --out DIR [--dry-run]'");
        return 2;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT, header = "List the carried states of an --out folder, newest cut-off first.")
    static final class ListStates implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The audits' --out folder.")
        Path out;

        @Override
        public Integer call() {
            List<StateStore.Meta> states = StateStore.list(out);
            System.out.printf("%-32s  %-20s  %-20s  %10s  %s%n", "state", "through", "as_of", "partitions", "written by run");
            for (StateStore.Meta m : states)
                System.out.printf("%-32s  %-20s  %-20s  %10d  %s%n", m.id(), m.through(), m.asOf(), m.partitions(), m.runId());
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT, header = "Remove the carried states that no kept run folder under --out started from or wrote.")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The audits' --out folder.")
        Path out;

        @Option(names = "--dry-run", description = "Only say what would be removed.")
        boolean dryRun;

        @Override
        public Integer call() {
            int kept = StatePrune.referenced(out).size();
            List<StateStore.Meta> removed = StatePrune.prune(out, m -> true, dryRun);
            for (StateStore.Meta m : removed)
                System.err.println("attest: " + (dryRun ? "would remove" : "removed") + " state " + m.id() + " (through " + m.through()
                        + ", written by run " + m.runId() + ")");
            System.err.println("attest: " + removed.size() + " state(s) " + (dryRun ? "to remove" : "removed") + ", " + kept + " kept");
            return 0;
        }
    }
}
