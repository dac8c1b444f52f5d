package io.sparkvae.io.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinePlotTest {

    private static BufferedImage plot(Map<String, double[][]> series, boolean autoLog) {
        return PixelCodec.decodePng(LinePlot.png("loss", "epoch", "nats", series, 480, 320, autoLog));
    }

    private static boolean hasColour(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void drawsSeriesInDistinctColoursOnWhite() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train", new double[][] {{1, 2, 3, 4}, {10, 7, 5, 4}});
        series.put("val", new double[][] {{1, 2, 3, 4}, {11, 8, 7, 6.5}});
        BufferedImage image = plot(series, false);
        assertEquals(480, image.getWidth());
        assertEquals(320, image.getHeight());
        assertEquals(0xFFFFFF, image.getRGB(2, 2) & 0xFFFFFF);
        assertTrue(hasColour(image, LinePlot.PALETTE[0].getRGB() & 0xFFFFFF));
        assertTrue(hasColour(image, LinePlot.PALETTE[1].getRGB() & 0xFFFFFF));
    }

    @Test
    void handlesOnePointEmptySeriesAndNaN() {
        Map<String, double[][]> one = Map.of("only", new double[][] {{3}, {0.5}});
        assertTrue(hasColour(plot(one, true), LinePlot.PALETTE[0].getRGB() & 0xFFFFFF));

        BufferedImage empty = plot(Map.of(), false);
        assertEquals(480, empty.getWidth());
        BufferedImage allNaN = plot(Map.of("nan", new double[][] {{1, 2}, {Double.NaN, Double.NaN}}), false);
        assertFalse(hasColour(allNaN, LinePlot.PALETTE[0].getRGB() & 0xFFFFFF));
        plot(Map.of("empty", new double[][] {{}, {}}, "null", new double[0][]), false);

        Map<String, double[][]> withNaN = Map.of("loss", new double[][] {
            {0, 1, 2, 3, 4}, {5, Double.NaN, 3, Double.POSITIVE_INFINITY, 1}});
        assertTrue(hasColour(plot(withNaN, false), LinePlot.PALETTE[0].getRGB() & 0xFFFFFF));
    }

    @Test
    void logScaleOnlyWhenPositiveAndWide() {
        LinePlot.Axis log = LinePlot.Axis.log(0.003, 250);
        assertEquals(-3, log.lo());
        assertEquals(3, log.hi());
        assertEquals("0.001", log.label(0.001));
        assertEquals("1e5", LinePlot.Axis.log(1e5, 1e7).label(1e5));
        Map<String, double[][]> wide = Map.of("kl", new double[][] {{0, 1, 2, 3}, {1000, 10, 0.1, 0.01}});
        assertEquals(320, plot(wide, true).getHeight());
        Map<String, double[][]> negative = Map.of("elbo", new double[][] {{0, 1, 2}, {-1000, -10, 0.1}});
        assertEquals(320, plot(negative, true).getHeight());
    }

    @Test
    void ticksAreNiceNumbers() {
        LinePlot.Axis axis = LinePlot.Axis.linear(0.13, 9.7);
        assertEquals(0, axis.lo(), 1e-12);
        assertEquals(10, axis.hi(), 1e-12);
        assertEquals(6, axis.ticks().length);
        assertEquals("4", axis.label(axis.ticks()[2]));
        LinePlot.Axis small = LinePlot.Axis.linear(0.012, 0.031);
        assertEquals("0.015", small.label(0.015));
        LinePlot.Axis flat = LinePlot.Axis.linear(5, 5);
        assertTrue(flat.lo() < 5 && flat.hi() > 5);
    }

    @Test
    void theLegendGoesToTheCornerTheLinesLeaveFree() {
        LinePlot.Frame f = new LinePlot.Frame(72, 36, 780, 450);
        List<Point2D> lines = new ArrayList<>();
        for (int x = 72; x <= 780; x += 4) {
            lines.add(new Point2D.Double(x, 50)); // a flat line along the top, like the KL under the losses
            lines.add(new Point2D.Double(x, 36 + (x - 72) * 0.55)); // falling from the top left to the bottom right
        }
        Rectangle box = LinePlot.legendBox(f, 200, 60, lines);
        assertEquals(new Rectangle(80, 450 - 60 - 8, 200, 60), box); // bottom left
        // with nothing in the way, top right
        assertEquals(new Rectangle(780 - 200 - 8, 44, 200, 60), LinePlot.legendBox(f, 200, 60, List.of()));
    }

    @Test
    void whenEveryCornerIsCrossedTheYAxisMakesRoomAtTheTop() {
        // loss.png of the default run: a flat KL line near the top, losses falling to the bottom, 40 epochs
        double[] epochs = new double[40];
        double[] kl = new double[40];
        double[] loss = new double[40];
        double[] recon = new double[40];
        for (int i = 0; i < 40; i++) {
            epochs[i] = i + 1;
            kl[i] = 49;
            loss[i] = -540 - 200 * (1 - Math.exp(-i / 4.0));
            recon[i] = loss[i] - 50;
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train loss (last averaging round, KL weighted)", new double[][] {epochs, loss});
        series.put("val reconstruction NLL", new double[][] {epochs, recon});
        series.put("val KL", new double[][] {epochs, kl});
        List<LinePlot.Series> data = LinePlot.finitePoints(series);
        LinePlot.Frame f = new LinePlot.Frame(72, 36, 780, 450);
        LinePlot.Axis x = LinePlot.Axis.linear(1, 40);
        java.awt.Dimension legend = new java.awt.Dimension(290, 60);
        LinePlot.Range yr = LinePlot.Range.of(data, false);
        LinePlot.Axis plain = LinePlot.Axis.linear(yr.min(), yr.max());
        List<Point2D> before = LinePlot.linePoints(f, x, plain, data);
        assertTrue(LinePlot.covered(LinePlot.legendBox(f, 290, 60, before), before) > 0, "every corner is crossed");
        LinePlot.Axis roomy = LinePlot.yAxisWithRoomForLegend(f, x, yr, legend, data);
        List<Point2D> after = LinePlot.linePoints(f, x, roomy, data);
        assertEquals(0, LinePlot.covered(LinePlot.legendBox(f, 290, 60, after), after));
        assertTrue(roomy.lo() <= plain.lo());
        assertTrue(roomy.hi() > plain.hi());
        // with a free corner the axis is left as it is
        series.remove("val KL");
        List<LinePlot.Series> two = LinePlot.finitePoints(series);
        LinePlot.Range yr2 = LinePlot.Range.of(two, false);
        assertEquals(LinePlot.Axis.linear(yr2.min(), yr2.max()).hi(),
            LinePlot.yAxisWithRoomForLegend(f, x, yr2, legend, two).hi());
    }
}
