package org.convnext4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code data} group: commands that prepare or measure image folders. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Prepare and measure ImageNet-style image folders (ROOT/<split>/<class>/<image>).",
        subcommands = {ImportIdxCommand.class, DataBenchmarkCommand.class})
final class DataCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
