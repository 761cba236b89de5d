package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "attest", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        description = {"Proves that a live billing or policy system did what its rules said.", ""},
        subcommands = {AuditCommand.class, LineageCommand.class, ExplainCommand.class, VerifyCommand.class, BackfillCommand.class,
                ScheduleCommand.class, RunsCommand.class, AckCommand.class, AcceptCommand.class, FindingsCommand.class, DemoCommand.class,
                GenerateCommand.class, BenchCommand.class, StateCommand.class, dev.attest.stream.StreamCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** `attest` alone names no command: show the usage, and say it was bad usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main())
                .registerConverter(java.math.BigDecimal.class, new Times.DecimalConverter())
                .registerConverter(java.time.LocalDate.class, new Times.DateConverter())
                .registerConverter(java.time.Instant.class, new Times.InstantConverter());
        cl.setUsageHelpAutoWidth(true);
        headings(cl);
        // The message and where to read more, as git and dbt do; the whole usage would push the message off the screen.
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            System.err.println("attest: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, System.err);
            System.err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        // One line: what failed (the innermost cause says most) and where the full trace was written; never the trace itself.
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable root = ex;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String where = traceFile(ex);
            System.err.println("attest: internal failure: " + dev.attest.jobs.audit.FailureLog.firstLine(String.valueOf(root))
                    + (where == null ? "" : "; full trace in " + where));
            return 3;
        });
        return cl.execute(args);
    }

    /** Writes the trace to a log file under the temporary folder; its path, or null when it cannot be written. */
    private static String traceFile(Throwable ex) {
        try {
            java.nio.file.Path log = java.nio.file.Files.createTempFile("attest-failure-", ".log");
            java.io.StringWriter w = new java.io.StringWriter();
            ex.printStackTrace(new java.io.PrintWriter(w));
            java.nio.file.Files.writeString(log, w.toString());
            return log.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** A blank line between the usage, the description and the options, on every command. */
    private static void headings(CommandLine cl) {
        cl.getCommandSpec().usageMessage().descriptionHeading("%n").optionListHeading("%nOptions:%n").parameterListHeading("%n");
        cl.getSubcommands().values().forEach(Main::headings);
    }

    public static void main(String[] args) {
        // Arrow checks every buffer access against the buffer's bounds unless told otherwise; the vectors here are
        // DuckDB's and our own, read and written by index within their row counts. Its gain was not measured apart
        // (the fold's top frame, BaseVariableWidthVector.fillHoles, is the null-slot filling itself and stayed). Set
        // before Arrow loads; -Darrow.enable_unsafe_memory_access=false on the command line keeps the checks.
        if (System.getProperty("arrow.enable_unsafe_memory_access") == null) System.setProperty("arrow.enable_unsafe_memory_access", "true");
        System.exit(execute(args));
    }
}
