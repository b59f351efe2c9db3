package org.convnext4j.cli;

import org.convnext4j.train.BuildInfo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convnext} command line: one subcommand per task. */
@Command(name = "convnext", mixinStandardHelpOptions = true, versionProvider = ConvNeXtCli.Version.class,
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

    /** {@code --version}: read from the build, not from ND4J, so that it answers where the backend cannot load. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.load().summary()};
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code; {@link #main} without the exit, for tests. */
    public static int execute(String... args) {
        return new CommandLine(new ConvNeXtCli()).execute(args);
    }
}
