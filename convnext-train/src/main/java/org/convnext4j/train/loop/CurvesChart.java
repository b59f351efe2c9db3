package org.convnext4j.train.loop;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Three small panels, drawn with Java2D: loss (train, val), val top-1 and learning rate per epoch. */
final class CurvesChart {

    private static final int PANEL_W = 360;
    private static final int PANEL_H = 240;
    private static final int MARGIN = 40;

    private CurvesChart() {
    }

    /** {@code rows}: epoch, train loss, val loss, val top-1, lr. */
    static void write(Path file, List<double[]> rows) throws IOException {
        BufferedImage image = new BufferedImage(3 * PANEL_W, PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        panel(g, 0, "loss (train blue, val red)", rows, new int[] {1, 2}, new Color[] {Color.BLUE, Color.RED});
        panel(g, PANEL_W, "val top-1", rows, new int[] {3}, new Color[] {new Color(0, 130, 0)});
        panel(g, 2 * PANEL_W, "learning rate", rows, new int[] {4}, new Color[] {Color.DARK_GRAY});
        g.dispose();
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(image, "png", temp.toFile());
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void panel(Graphics2D g, int x0, String title, List<double[]> rows, int[] columns, Color[] colors) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] r : rows) {
            for (int c : columns) {
                if (Double.isFinite(r[c])) {
                    min = Math.min(min, r[c]);
                    max = Math.max(max, r[c]);
                }
            }
        }
        if (!(max > min)) {
            max = min + 1;
        }
        double lastEpoch = Math.max(1, rows.get(rows.size() - 1)[0]);
        int left = x0 + MARGIN;
        int right = x0 + PANEL_W - 10;
        int top = 25;
        int bottom = PANEL_H - 25;
        g.setColor(Color.BLACK);
        g.drawString(title, left, 15);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(String.format(Locale.ROOT, "%.3g", max), x0 + 2, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.3g", min), x0 + 2, bottom);
        g.drawString("epoch " + (int) lastEpoch, right - 60, PANEL_H - 8);
        g.setStroke(new BasicStroke(2f));
        for (int k = 0; k < columns.length; k++) {
            g.setColor(colors[k]);
            int px = -1;
            int py = -1;
            for (double[] r : rows) {
                if (!Double.isFinite(r[columns[k]])) {
                    continue;
                }
                int x = left + (int) Math.round((right - left) * r[0] / lastEpoch);
                int y = bottom - (int) Math.round((bottom - top) * (r[columns[k]] - min) / (max - min));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                g.fillOval(x - 2, y - 2, 4, 4);
                px = x;
                py = y;
            }
        }
    }
}
