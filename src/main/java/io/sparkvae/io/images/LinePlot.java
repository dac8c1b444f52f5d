package io.sparkvae.io.images;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Line charts (loss curves, metrics over epochs) rendered to PNG with Java2D. */
public final class LinePlot {

    /** Distinct series colours (matplotlib's "tab10"), reused cyclically. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    private static final Color GRID = new Color(0xE6E6E6);
    private static final Color AXIS = new Color(0x404040);
    private static final int TICKS = 5;
    private static final int MARKERS_UP_TO = 30;

    static {
        PixelCodec.ensureHeadless();
    }

    private LinePlot() {
    }

    /** A linear-scale chart; see {@link #png(String, String, String, Map, int, int, boolean)}. */
    public static byte[] png(String title, String xLabel, String yLabel, Map<String, double[][]> series,
                             int width, int height) {
        return png(title, xLabel, yLabel, series, width, height, false);
    }

    /**
     * A line chart as PNG bytes.
     *
     * @param series   name to {@code {xs, ys}}, drawn in the map's iteration order; points where x or y is NaN or
     *                 infinite are skipped; an empty map or one with no finite point draws "no data"
     * @param autoLogY when true, the y axis is logarithmic if every plotted y is positive and they span more than
     *                 two decades (max / min &gt; 100); otherwise linear
     */
    public static byte[] png(String title, String xLabel, String yLabel, Map<String, double[][]> series,
                             int width, int height, boolean autoLogY) {
        if (width < 160 || height < 120) {
            throw new IllegalArgumentException("plot must be at least 160x120 pixels, got " + width + "x" + height);
        }
        List<Series> data = finitePoints(series);
        Range xr = Range.of(data, true);
        Range yr = Range.of(data, false);
        boolean logY = autoLogY && yr != null && yr.min > 0 && yr.max / yr.min > 100;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Frame f = new Frame(72, 36, width - 20, height - 50);
            drawTitles(g, title, xLabel, yLabel, f, width, height);
            if (xr == null) {
                drawFrame(g, f);
                Font font = new Font(Font.SANS_SERIF, Font.ITALIC, 14);
                g.setFont(font);
                g.setColor(Color.GRAY);
                FontMetrics fm = g.getFontMetrics();
                g.drawString("no data", (f.left + f.right - fm.stringWidth("no data")) / 2, (f.top + f.bottom) / 2);
                return PixelCodec.writePng(image);
            }
            Axis xAxis = Axis.linear(xr.min, xr.max);
            Dimension legend = legendSize(g, data);
            Axis yAxis = logY ? Axis.log(yr.min, yr.max)
                : yAxisWithRoomForLegend(f, xAxis, yr, legend, data);
            drawGridAndTicks(g, f, xAxis, yAxis);
            drawFrame(g, f);
            drawSeries(g, f, xAxis, yAxis, data);
            drawLegend(g, legendBox(f, legend.width, legend.height, linePoints(f, xAxis, yAxis, data)), data);
        } finally {
            g.dispose();
        }
        return PixelCodec.writePng(image);
    }

    /** One named series with only its finite points. */
    record Series(String name, double[] xs, double[] ys, Color colour) {
    }

    static List<Series> finitePoints(Map<String, double[][]> series) {
        List<Series> out = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] xy = e.getValue();
            Color colour = PALETTE[i++ % PALETTE.length];
            if (xy == null || xy.length < 2 || xy[0] == null || xy[1] == null) {
                out.add(new Series(e.getKey(), new double[0], new double[0], colour));
                continue;
            }
            int n = Math.min(xy[0].length, xy[1].length);
            double[] xs = new double[n];
            double[] ys = new double[n];
            int k = 0;
            for (int j = 0; j < n; j++) {
                if (Double.isFinite(xy[0][j]) && Double.isFinite(xy[1][j])) {
                    xs[k] = xy[0][j];
                    ys[k++] = xy[1][j];
                }
            }
            out.add(new Series(e.getKey(), java.util.Arrays.copyOf(xs, k), java.util.Arrays.copyOf(ys, k), colour));
        }
        return out;
    }

    /** Data bounds over all series; null when there is no point. */
    record Range(double min, double max) {
        static Range of(List<Series> data, boolean x) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Series s : data) {
                for (double v : x ? s.xs : s.ys) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            return lo <= hi ? new Range(lo, hi) : null;
        }
    }

    /** The plotting area in pixels. */
    record Frame(int left, int top, int right, int bottom) {
    }

    /** An axis: its shown bounds, tick positions, and whether it maps log10 of values. */
    record Axis(double lo, double hi, double[] ticks, boolean log) {

        static Axis linear(double min, double max) {
            if (min == max) {
                double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
                min -= pad;
                max += pad;
            }
            double step = niceNumber((max - min) / (TICKS - 1), true);
            double lo = Math.floor(min / step) * step;
            double hi = Math.ceil(max / step) * step;
            int n = (int) Math.round((hi - lo) / step) + 1;
            double[] ticks = new double[n];
            for (int i = 0; i < n; i++) {
                ticks[i] = lo + i * step;
            }
            return new Axis(lo, hi, ticks, false);
        }

        static Axis log(double min, double max) {
            int lo = (int) Math.floor(Math.log10(min));
            int hi = (int) Math.ceil(Math.log10(max));
            if (hi == lo) {
                hi++;
            }
            int every = Math.max(1, (int) Math.ceil((hi - lo) / 6.0));
            List<Double> ticks = new ArrayList<>();
            for (int d = lo; d <= hi; d += every) {
                ticks.add(Math.pow(10, d));
            }
            return new Axis(lo, hi, ticks.stream().mapToDouble(Double::doubleValue).toArray(), true);
        }

        /** Fraction 0..1 of the way from lo to hi. */
        double fraction(double v) {
            double t = log ? Math.log10(v) : v;
            return (t - lo) / (hi - lo);
        }

        String label(double v) {
            if (log) {
                int e = (int) Math.round(Math.log10(v));
                return e >= -3 && e <= 4 ? plain(v, Math.max(0, -e)) : "1e" + e;
            }
            double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
            double big = Math.max(Math.abs(lo), Math.abs(hi));
            if (big >= 1e6 || step < 1e-4) {
                return String.format(Locale.ROOT, "%.2g", v);
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return plain(Math.abs(v) < step * 1e-6 ? 0 : v, decimals);
        }

        private static String plain(double v, int decimals) {
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }

    /** Heckbert's "nice number": 1, 2, 5 or 10 times a power of ten, near x. */
    static double niceNumber(double x, boolean round) {
        double exp = Math.floor(Math.log10(x));
        double f = x / Math.pow(10, exp);
        double nice;
        if (round) {
            nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        } else {
            nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        }
        return nice * Math.pow(10, exp);
    }

    private static void drawTitles(Graphics2D g, String title, String xLabel, String yLabel, Frame f,
                                   int width, int height) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        FontMetrics fm = g.getFontMetrics();
        if (title != null) {
            g.drawString(title, (f.left + f.right - fm.stringWidth(title)) / 2, 22);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        if (xLabel != null) {
            g.drawString(xLabel, (f.left + f.right - fm.stringWidth(xLabel)) / 2, height - 10);
        }
        if (yLabel != null) {
            AffineTransform saved = g.getTransform();
            g.translate(16, (f.top + f.bottom + fm.stringWidth(yLabel)) / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, 0, 0);
            g.setTransform(saved);
        }
    }

    private static void drawFrame(Graphics2D g, Frame f) {
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(f.left, f.top, f.right - f.left, f.bottom - f.top);
    }

    private static void drawGridAndTicks(Graphics2D g, Frame f, Axis x, Axis y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : x.ticks) {
            double px = f.left + x.fraction(t) * (f.right - f.left);
            g.setColor(GRID);
            g.draw(new Line2D.Double(px, f.top, px, f.bottom));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(px, f.bottom, px, f.bottom + 4));
            String s = x.label(t);
            g.drawString(s, (float) (px - fm.stringWidth(s) / 2.0), f.bottom + 6 + fm.getAscent());
        }
        for (double t : y.ticks) {
            double py = f.bottom - y.fraction(t) * (f.bottom - f.top);
            g.setColor(GRID);
            g.draw(new Line2D.Double(f.left, py, f.right, py));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(f.left - 4, py, f.left, py));
            String s = y.label(t);
            g.drawString(s, f.left - 7 - fm.stringWidth(s), (float) (py + fm.getAscent() / 2.0 - 1));
        }
    }

    private static void drawSeries(Graphics2D g, Frame f, Axis x, Axis y, List<Series> data) {
        java.awt.Shape clip = g.getClip();
        g.clipRect(f.left, f.top, f.right - f.left + 1, f.bottom - f.top + 1);
        for (Series s : data) {
            g.setColor(s.colour);
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < s.xs.length; i++) {
                double px = pixelX(f, x, s.xs[i]);
                double py = pixelY(f, y, s.ys[i]);
                if (i == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
                if (s.xs.length <= MARKERS_UP_TO) {
                    g.fill(new Ellipse2D.Double(px - 2.5, py - 2.5, 5, 5));
                }
            }
            g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }
        g.setClip(clip);
    }

    private static double pixelX(Frame f, Axis x, double value) {
        return f.left + x.fraction(value) * (f.right - f.left);
    }

    private static double pixelY(Frame f, Axis y, double value) {
        return f.bottom - y.fraction(value) * (f.bottom - f.top);
    }

    /** Points along every drawn line, in pixels: each point and 15 more along each segment. */
    static List<Point2D> linePoints(Frame f, Axis x, Axis y, List<Series> data) {
        List<Point2D> points = new ArrayList<>();
        for (Series s : data) {
            for (int i = 0; i < s.xs.length; i++) {
                double px = pixelX(f, x, s.xs[i]);
                double py = pixelY(f, y, s.ys[i]);
                points.add(new Point2D.Double(px, py));
                if (i + 1 < s.xs.length) {
                    double nx = pixelX(f, x, s.xs[i + 1]);
                    double ny = pixelY(f, y, s.ys[i + 1]);
                    for (int k = 1; k < 16; k++) {
                        points.add(new Point2D.Double(px + (nx - px) * k / 16, py + (ny - py) * k / 16));
                    }
                }
            }
        }
        return points;
    }

    /**
     * Where the legend goes: the corner of the plot area (top right, top left, bottom right, bottom left, in that
     * order of preference) whose box, with a 4-pixel margin, covers the fewest points of the lines.
     */
    static Rectangle legendBox(Frame f, int boxW, int boxH, List<Point2D> linePoints) {
        int[][] origins = {
            {f.right - boxW - 8, f.top + 8}, {f.left + 8, f.top + 8},
            {f.right - boxW - 8, f.bottom - boxH - 8}, {f.left + 8, f.bottom - boxH - 8}};
        Rectangle best = null;
        int fewest = Integer.MAX_VALUE;
        for (int[] o : origins) {
            Rectangle box = new Rectangle(o[0], o[1], boxW, boxH);
            int covered = covered(box, linePoints);
            if (covered < fewest) {
                fewest = covered;
                best = box;
            }
        }
        return best;
    }

    /**
     * A linear y axis over {@code yr}; when the legend would cross the lines in every corner, the axis goes up
     * far enough that the top corners are free (the lines keep the lower part of the plot).
     */
    static Axis yAxisWithRoomForLegend(Frame f, Axis xAxis, Range yr, Dimension legend, List<Series> data) {
        Axis y = Axis.linear(yr.min, yr.max);
        // the lines keep the plot height less the legend's (and its margins), so the legend's band is free; the
        // nice ticks of the taller range may move the bottom too, so check again (a few times at most)
        double plotH = f.bottom - f.top;
        double free = Math.max(plotH / 3, plotH - legend.height - 20);
        for (int attempt = 0; attempt < 4; attempt++) {
            List<Point2D> points = linePoints(f, xAxis, y, data);
            if (covered(legendBox(f, legend.width, legend.height, points), points) == 0) {
                break;
            }
            y = Axis.linear(yr.min, y.lo + (y.hi - y.lo) * plotH / free);
        }
        return y;
    }

    static int covered(Rectangle box, List<Point2D> linePoints) {
        Rectangle margin = new Rectangle(box.x - 4, box.y - 4, box.width + 8, box.height + 8);
        int covered = 0;
        for (Point2D p : linePoints) {
            if (margin.contains(p)) {
                covered++;
            }
        }
        return covered;
    }

    /** Width and height of the legend box, with the legend's font set on {@code g}. */
    private static Dimension legendSize(Graphics2D g, List<Series> data) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int textW = 0;
        for (Series s : data) {
            textW = Math.max(textW, fm.stringWidth(s.name));
        }
        return new Dimension(textW + 34, data.size() * fm.getHeight() + 8);
    }

    private static void drawLegend(Graphics2D g, Rectangle box, List<Series> data) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int lineH = fm.getHeight();
        int boxW = box.width;
        int boxH = box.height;
        int x0 = box.x;
        int y0 = box.y;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x0, y0, boxW, boxH);
        g.setColor(new Color(0xB0B0B0));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0, y0, boxW, boxH);
        for (int i = 0; i < data.size(); i++) {
            Series s = data.get(i);
            int cy = y0 + 4 + i * lineH + lineH / 2;
            g.setColor(s.colour);
            g.setStroke(new BasicStroke(2.5f));
            g.draw(new Line2D.Double(x0 + 6, cy, x0 + 24, cy));
            g.setColor(Color.BLACK);
            g.drawString(s.name, x0 + 29, cy + fm.getAscent() / 2 - 1);
        }
    }
}
