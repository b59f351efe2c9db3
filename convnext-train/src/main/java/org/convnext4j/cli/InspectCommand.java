package org.convnext4j.cli;

import java.util.List;

import org.convnext4j.model.ConvNeXtComplexity;
import org.convnext4j.model.ConvNeXtConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a variant's per-stage output shapes, parameter counts and multiply-accumulates.")
final class InspectCommand extends ConvNeXtCommand {

    @Mixin
    private VariantOptions model;

    @Override
    protected void execute() {
        ConvNeXtConfig config = model.config();
        List<ConvNeXtComplexity.Part> parts = ConvNeXtComplexity.parts(config, model.imageSize);
        System.out.printf("%s: depths %s, dims %s, %d classes, input 3x%dx%d%n",
                model.variant, config.depths(), config.dims(), config.numClasses(), model.imageSize, model.imageSize);
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
