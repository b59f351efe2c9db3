package org.convnext4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convnext} command line: one subcommand per task. */
@Command(name = "convnext", mixinStandardHelpOptions = true, version = "convnext4j 0.1.0",
        description = "ConvNeXt training and inference on the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ImportCommand.class,
                ExportCommand.class, InspectCommand.class, BenchmarkCommand.class, DataCommand.class})
public final class ConvNeXtCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code; {@link #main} without the exit, for tests. */
    public static int execute(String... args) {
        return new CommandLine(new ConvNeXtCli()).execute(args);
    }
}
