package org.convnext4j.cli;

import java.util.List;

import org.convnext4j.model.ConvNeXtComplexity;
import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtVariants;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a variant's per-stage output shapes, parameter counts and multiply-accumulates.")
final class InspectCommand extends ConvNeXtCommand {

    @Option(names = "--variant", required = true, description = "variant name, e.g. convnext_tiny")
    private String variant;

    @Option(names = "--image-size", defaultValue = "224", description = "input height and width (default ${DEFAULT-VALUE})")
    private int imageSize;

    @Option(names = "--num-classes", defaultValue = "1000", description = "classifier outputs (default ${DEFAULT-VALUE})")
    private int numClasses;

    @Override
    protected void execute() {
        if (imageSize < 32) {
            throw new IllegalArgumentException("--image-size must be at least 32 (the network's total stride), got " + imageSize);
        }
        ConvNeXtConfig config = ConvNeXtVariants.get(variant).withNumClasses(numClasses);
        List<ConvNeXtComplexity.Part> parts = ConvNeXtComplexity.parts(config, imageSize);
        System.out.printf("%s: depths %s, dims %s, %d classes, input 3x%dx%d%n",
                variant, config.depths(), config.dims(), numClasses, imageSize, imageSize);
        System.out.printf("%-8s %-18s %14s %12s%n", "part", "output (CxHxW)", "params", "GMACs");
        for (ConvNeXtComplexity.Part p : parts) {
            String shape = p.name().equals("head") ? Long.toString(p.channels())
                    : p.channels() + "x" + p.height() + "x" + p.width();
            System.out.printf("%-8s %-18s %,14d %12.3f%n", p.name(), shape, p.params(), p.macs() / 1e9);
        }
        System.out.printf("%-8s %-18s %,14d %12.3f%n", "total", "",
                parts.stream().mapToLong(ConvNeXtComplexity.Part::params).sum(),
                parts.stream().mapToLong(ConvNeXtComplexity.Part::macs).sum() / 1e9);
    }
}
