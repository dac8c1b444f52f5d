package io.sparkvae.io.images;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;

/** PNG grids of small images (samples, reconstructions beside their originals), upscaled so people can see them. */
public final class ContactSheet {

    /** Colour between cells. */
    static final int PADDING_RGB = 0xD0D0D0;
    private static final Color TEXT = new Color(0x30, 0x30, 0x30);
    private static final int FONT_SIZE = 11;

    static {
        PixelCodec.ensureHeadless();
    }

    private ContactSheet() {
    }

    /**
     * A grid of images, {@code columns} per row, each upscaled by {@code scale} (nearest neighbour) and separated
     * and surrounded by {@code padding} light-grey pixels.
     */
    public static byte[] gridPng(List<byte[]> hwcImages, int h, int w, int c, int columns, int scale, int padding) {
        checkLayout(hwcImages.size(), columns, scale, padding);
        int cols = Math.min(columns, hwcImages.size());
        int rows = (hwcImages.size() + cols - 1) / cols;
        int cellW = w * scale;
        int cellH = h * scale;
        BufferedImage sheet = newSheet(cols * cellW + (cols + 1) * padding, rows * cellH + (rows + 1) * padding);
        for (int i = 0; i < hwcImages.size(); i++) {
            int x = padding + (i % cols) * (cellW + padding);
            int y = padding + (i / cols) * (cellH + padding);
            blit(sheet, hwcImages.get(i), h, w, c, scale, x, y);
        }
        return PixelCodec.writePng(sheet);
    }

    /**
     * Originals beside their reconstructions: {@code pairsPerRow} pairs per row, each pair an original (left) and
     * its reconstruction (right) one pixel apart, pairs separated by a wider gap, under a header naming the columns.
     */
    public static byte[] pairsPng(List<byte[]> originals, List<byte[]> reconstructions, int h, int w, int c,
                                  int pairsPerRow, int scale) {
        if (originals.size() != reconstructions.size()) {
            throw new IllegalArgumentException("need one reconstruction per original, got " + originals.size()
                    + " originals and " + reconstructions.size() + " reconstructions");
        }
        checkLayout(originals.size(), pairsPerRow, scale, 0);
        Layout l = pairsLayout(originals.size(), h, w, pairsPerRow, scale);
        BufferedImage sheet = newSheet(l.width, l.height);
        for (int i = 0; i < originals.size(); i++) {
            int x = l.pairX(i % l.cols);
            int y = l.header + l.gap + (i / l.cols) * (l.cellH + l.gap);
            blit(sheet, originals.get(i), h, w, c, scale, x, y);
            blit(sheet, reconstructions.get(i), h, w, c, scale, x + l.cellW + Layout.INNER, y);
        }
        drawHeader(sheet, l);
        return PixelCodec.writePng(sheet);
    }

    /** Geometry of a pairs sheet; package-private so tests can find a cell. */
    record Layout(int cols, int rows, int cellW, int cellH, int gap, int header, int width, int height) {
        static final int INNER = 1;

        int pairX(int col) {
            return gap + col * (2 * cellW + INNER + gap);
        }
    }

    static Layout pairsLayout(int count, int h, int w, int pairsPerRow, int scale) {
        int cols = Math.min(pairsPerRow, count);
        int rows = (count + cols - 1) / cols;
        int cellW = w * scale;
        int cellH = h * scale;
        int gap = Math.max(4, 2 * scale);
        int header = FONT_SIZE + 8;
        int width = Math.max(cols * (2 * cellW + Layout.INNER) + (cols + 1) * gap, 150);
        int height = header + gap + rows * (cellH + gap);
        return new Layout(cols, rows, cellW, cellH, gap, header, width, height);
    }

    private static void drawHeader(BufferedImage sheet, Layout l) {
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, FONT_SIZE));
            g.setColor(TEXT);
            FontMetrics fm = g.getFontMetrics();
            int baseline = l.header - 4 + l.gap / 2;
            boolean perColumn = fm.stringWidth("reconstruction") <= l.cellW && fm.stringWidth("original") <= l.cellW;
            if (perColumn) {
                for (int col = 0; col < l.cols; col++) {
                    int x = l.pairX(col);
                    centred(g, fm, "original", x, l.cellW, baseline);
                    centred(g, fm, "reconstruction", x + l.cellW + Layout.INNER, l.cellW, baseline);
                }
            } else {
                g.drawString("original | reconstruction", l.gap, baseline);
            }
        } finally {
            g.dispose();
        }
    }

    private static void centred(Graphics2D g, FontMetrics fm, String text, int x, int width, int baseline) {
        g.drawString(text, x + (width - fm.stringWidth(text)) / 2, baseline);
    }

    private static BufferedImage newSheet(int width, int height) {
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Arrays.fill(((DataBufferInt) sheet.getRaster().getDataBuffer()).getData(), PADDING_RGB);
        return sheet;
    }

    /** Copies one image into the sheet at (x0, y0), each source pixel becoming a scale x scale block. */
    private static void blit(BufferedImage sheet, byte[] hwc, int h, int w, int c, int scale, int x0, int y0) {
        PixelCodec.checkShape(hwc, h, w, c);
        int[] dst = ((DataBufferInt) sheet.getRaster().getDataBuffer()).getData();
        int stride = sheet.getWidth();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * c;
                int rgb = c == 1
                        ? (hwc[i] & 0xFF) * 0x010101
                        : (hwc[i] & 0xFF) << 16 | (hwc[i + 1] & 0xFF) << 8 | (hwc[i + 2] & 0xFF);
                for (int dy = 0; dy < scale; dy++) {
                    int row = (y0 + y * scale + dy) * stride + x0 + x * scale;
                    java.util.Arrays.fill(dst, row, row + scale, rgb);
                }
            }
        }
    }

    private static void checkLayout(int count, int columns, int scale, int padding) {
        if (count == 0) {
            throw new IllegalArgumentException("a contact sheet needs at least one image");
        }
        if (columns < 1 || scale < 1 || padding < 0) {
            throw new IllegalArgumentException("columns and scale must be >= 1 and padding >= 0, got columns="
                    + columns + ", scale=" + scale + ", padding=" + padding);
        }
    }
}
