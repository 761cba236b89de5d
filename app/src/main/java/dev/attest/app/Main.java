package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "attest", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        description = {"Proves that a live billing or policy system did what its rules said.", ""},
        subcommands = {AuditCommand.class, LineageCommand.class, ExplainCommand.class, VerifyCommand.class, BackfillCommand.class,
                ScheduleCommand.class, RunsCommand.class, AckCommand.class, AcceptCommand.class, FindingsCommand.class, DemoCommand.class,
                GenerateCommand.class, BenchCommand.class, StateCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
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
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            System.err.println("attest: internal failure: " + ex);
            for (Throwable c = ex.getCause(); c != null; c = c.getCause()) System.err.println("  caused by: " + c);
            return 3;
        });
        return cl.execute(args);
    }

    /** A blank line between the usage, the description and the options, on every command. */
    private static void headings(CommandLine cl) {
        cl.getCommandSpec().usageMessage().descriptionHeading("%n").optionListHeading("%nOptions:%n").parameterListHeading("%n");
        cl.getSubcommands().values().forEach(Main::headings);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
