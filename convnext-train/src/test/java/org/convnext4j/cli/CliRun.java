package org.convnext4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Runs the command line in-process and captures what it printed. */
record CliRun(int exitCode, String out, String err) {

    /** A line the logger wrote (logback-test.xml's pattern), as the first line of every command is. */
    private static final Pattern LOG_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN) .*");

    /** Standard error without the INFO and WARN lines of the log: what the command itself printed there. */
    String errors() {
        return err.lines().filter(line -> !LOG_LINE.matcher(line).matches())
                .map(line -> line + System.lineSeparator()).collect(Collectors.joining());
    }

    static CliRun of(String... args) {
        return capture(() -> ConvNeXtCli.execute(args));
    }

    /** Runs {@code command}, which returns an exit code, with System.out and System.err captured. */
    static synchronized CliRun capture(IntSupplier command) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = command.getAsInt();
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
