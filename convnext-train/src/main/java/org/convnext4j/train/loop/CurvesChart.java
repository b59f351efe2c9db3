package org.convnext4j.train.loop;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Three JFreeChart plots side by side in one PNG: loss (train, val), top-1 (val, EMA) and the learning rate on a log axis. */
final class CurvesChart {

    /** One epoch's values, counted from 1; NaN where there is none (no EMA) or it is not finite. */
    record Epoch(int epoch, double trainLoss, double valLoss, double valTop1, double emaTop1, double lr) {
    }

    /** A named series in its colour. */
    private record Line(XYSeries series, Color color) {
    }

    private static final int PLOT_W = 520;
    private static final int PLOT_H = 380;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color GRID = new Color(0xdddddd);
    static final Color TRAIN = new Color(0x1f77b4);
    static final Color VAL = new Color(0xd62728);
    static final Color EMA = new Color(0x2ca02c);
    static final Color LR = new Color(0x444444);
    private static final Shape DOT = new Ellipse2D.Double(-3, -3, 6, 6);

    private CurvesChart() {
    }

    static void write(Path file, List<Epoch> epochs) throws IOException {
        List<JFreeChart> charts = List.of(
                chart("loss", linearAxis("cross-entropy", 0.01), epochs,
                        line("train", TRAIN, epochs, Epoch::trainLoss), line("val", VAL, epochs, Epoch::valLoss)),
                chart("top-1 accuracy", linearAxis("top-1 (%)", 1), epochs,
                        line("val", VAL, epochs, e -> 100 * e.valTop1()), line("EMA", EMA, epochs, e -> 100 * e.emaTop1())),
                chart("learning rate", logAxis("learning rate (log scale)", epochs), epochs,
                        line("lr", LR, epochs, e -> e.lr() > 0 ? e.lr() : Double.NaN)));   // a log axis has no 0

        BufferedImage image = new BufferedImage(charts.size() * PLOT_W, PLOT_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double(i * PLOT_W, 0, PLOT_W, PLOT_H));
        }
        g.dispose();
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(image, "png", temp.toFile());
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The finite values only: a line through NaN or infinity would have no place to go. */
    private static Line line(String name, Color color, List<Epoch> epochs, ToDoubleFunction<Epoch> value) {
        XYSeries series = new XYSeries(name);
        for (Epoch e : epochs) {
            double v = value.applyAsDouble(e);
            if (Double.isFinite(v)) {
                series.add(e.epoch(), v);
            }
        }
        return new Line(series, color);
    }

    /** {@code smallestRange}: what a flat line spans, so that its ticks still differ. */
    private static NumberAxis linearAxis(String label, double smallestRange) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        axis.setAutoRangeMinimumSize(smallestRange);
        return axis;
    }

    /**
     * Ticks read as 1E-3, 3.2E-4, not as powers of ten with fractional exponents; a flat learning rate
     * spans half to one and a half times itself, so that its ticks still differ.
     */
    private static LogAxis logAxis(String label, List<Epoch> epochs) {
        LogAxis axis = new LogAxis(label);
        axis.setNumberFormatOverride(new DecimalFormat("0.#E0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        double largest = epochs.stream().mapToDouble(Epoch::lr).filter(Double::isFinite).max().orElse(0);
        if (largest > 0) {
            axis.setAutoRangeMinimumSize(largest);
        }
        return axis;
    }

    private static JFreeChart chart(String title, ValueAxis valueAxis, List<Epoch> epochs, Line... lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, epochs.size() <= 40);   // dots while they fit
        for (Line line : lines) {
            if (line.series().isEmpty()) {
                continue;   // no EMA, no legend entry for it
            }
            int i = data.getSeriesCount();
            data.addSeries(line.series());
            renderer.setSeriesPaint(i, line.color());
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, DOT);
        }
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochAxis.setAutoRangeIncludesZero(false);
        for (ValueAxis axis : List.of(epochAxis, valueAxis)) {
            axis.setLabelFont(LABEL);
            axis.setTickLabelFont(TICK);
        }

        XYPlot plot = new XYPlot(data, epochAxis, valueAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlinePaint(Color.GRAY);

        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setItemFont(LABEL);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(BlockBorder.NONE);
        return chart;
    }
}
