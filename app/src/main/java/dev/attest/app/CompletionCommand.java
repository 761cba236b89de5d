package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Print a shell completion script for attest: commands, options and their values.",
        description = {"Load it into the current shell with `source <(attest completion bash)`, or install it for every shell with "
                + "`attest completion bash > /etc/bash_completion.d/attest`. zsh reads the same script after "
                + "`autoload -U +X bashcompinit && bashcompinit`.",
                "Exit status: 0 printed, 2 a shell other than bash."})
public final class CompletionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", defaultValue = "bash", description = "The shell: bash (zsh through bashcompinit).")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash")) {
            System.err.println("attest: no completion for '" + shell + "'; bash is supported (zsh loads it through bashcompinit)");
            return 2;
        }
        System.out.print(AutoComplete.bash("attest", spec.root().commandLine()));
        return 0;
    }
}
