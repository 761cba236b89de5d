package dev.attest.app;

import dev.attest.engine.state.StateStore;
import dev.attest.jobs.ProgramVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
        public Integer call() throws IOException {
            Set<String> referenced = referenced(out);
            int removed = 0;
            for (StateStore.Meta m : StateStore.list(out)) {
                if (referenced.contains(m.id())) continue;
                System.err.println("attest: " + (dryRun ? "would remove" : "removing") + " state " + m.id() + " (through " + m.through()
                        + ", written by run " + m.runId() + ")");
                if (!dryRun) {
                    Files.deleteIfExists(StateStore.description(out, m.id()));
                    Files.deleteIfExists(StateStore.parquet(out, m.id()));
                }
                removed++;
            }
            System.err.println("attest: " + removed + " state(s) " + (dryRun ? "to remove" : "removed") + ", " + referenced.size() + " kept");
            return 0;
        }

        /** The states the manifests of the run folders under {@code out} name. */
        static Set<String> referenced(Path out) throws IOException {
            Set<String> ids = new HashSet<>();
            if (!Files.isDirectory(out)) return ids;
            JsonMapper json = JsonMapper.builder().build();
            try (Stream<Path> runs = Files.list(out)) {
                for (Path run : runs.toList()) {
                    Path manifest = run.resolve("manifest.json");
                    if (!Files.isRegularFile(manifest)) continue;
                    JsonNode c = json.readTree(Files.readString(manifest)).path("carried_state");
                    for (String k : List.of("started_from", "written"))
                        if (c.path(k).hasNonNull("id")) ids.add(c.path(k).path("id").asString());
                }
            }
            return ids;
        }
    }
}
