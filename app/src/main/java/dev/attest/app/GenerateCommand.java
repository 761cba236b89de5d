package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.generator.Generator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Write synthetic events, decisions and policies with injected faults, and their ground truth.", description = {
                "Write realistic synthetic inputs (events, decisions, policies) with injected faults of every finding code, and"
                        + " truth.json: the findings an audit must report, with the audit parameters they assume. Customers have their "
                        + "own billing cycles (anchor days 1, 15, 29, 30, 31 in zones west and east of UTC); customers.csv says which: "
                        + "the truth assumes an audit given --customers DIR/customers.csv."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write into (created).")
    Path out;

    @Option(names = "--events", required = true, paramLabel = "N", description = "Number of usage events.")
    long events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed; the same seed gives the same files (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layout", paramLabel = "LAYOUT", defaultValue = "date",
            description = "date (default): events/date=YYYY-MM-DD/ and decisions/date=YYYY-MM-DD/ by the UTC day of event_time and "
                    + "decided_at, the layout in which an audit of a window reads only the days it needs; flat: a few large files.")
    String layout;

    @Option(names = "--no-faults", description = "Leave out the injected faults: decisions follow the rules known when they were made.")
    boolean noFaults;

    @Override
    public Integer call() throws Exception {
        if (events < 1) {
            System.err.println("attest: --events must be >= 1");
            return 2;
        }
        boolean dateLayout;
        try {
            dateLayout = Layouts.date(layout);
        } catch (IllegalArgumentException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        Generator g = noFaults ? new Generator().withoutFaults() : new Generator();
        (dateLayout ? g.withDateLayout() : g).generate(out, events, seed);
        System.err.println("attest: generated " + events + " events" + (noFaults ? " without" : " with") + " injected faults; ground truth in truth.json");
        System.out.println(out.toAbsolutePath());
        return 0;
    }
}
