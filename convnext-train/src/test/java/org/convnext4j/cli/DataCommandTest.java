package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.convnext4j.data.ImageDecoder;
import org.convnext4j.data.ImageFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {

    private static final int ROWS = 3;
    private static final int COLS = 4;
    /** Seven images; labels 0, 1, 2, 0, 1, 0, 0. */
    private static final int[] LABELS = {0, 1, 2, 0, 1, 0, 0};

    @TempDir
    Path dir;

    @Test
    void importIdxWritesGreyPngsPerClassAndTheFolderScans() throws IOException {
        Path images = Files.write(dir.resolve("images.gz"), gzip(imagesIdx(LABELS.length)));
        Path labels = Files.write(dir.resolve("labels"), labelsIdx(LABELS));
        Path output = dir.resolve("data/train");

        CliRun run = CliRun.of("data", "import-idx", "--images", images.toString(), "--labels", labels.toString(),
                "--classes", "zero,one,two", "--limit-per-class", "3", "--output", output.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("wrote 6 images of 3x4"), run.out());
        ImageFolder folder = ImageFolder.scan(dir.resolve("data"), "train", ImageFolder.Subset.ALL);
        assertEquals(List.of("one", "two", "zero"), folder.classes());
        assertEquals(List.of("1.png", "4.png", "2.png", "0.png", "3.png", "5.png"),
                folder.samples().stream().map(s -> s.path().getFileName().toString()).toList(), "first 3 of class zero");
        BufferedImage four = ImageDecoder.readRgb(output.resolve("one/4.png"));
        assertEquals(COLS, four.getWidth());
        assertEquals(ROWS, four.getHeight());
        for (int y = 0; y < ROWS; y++) {
            for (int x = 0; x < COLS; x++) {
                int grey = pixel(4, y, x);
                assertEquals((grey << 16) | (grey << 8) | grey, four.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void truncatedIdxFileIsAOneLineErrorNamingIt() throws IOException {
        byte[] full = imagesIdx(LABELS.length);
        Path images = Files.write(dir.resolve("images"), Arrays.copyOf(full, full.length - 5));

        CliRun run = importIdx(images, Files.write(dir.resolve("labels"), labelsIdx(LABELS)));

        assertOneLineError(run, images + ": truncated: the header declares 7 images of 3x4 (84 bytes) but only 79 bytes follow");
    }

    @Test
    void truncatedGzipIsAOneLineErrorNamingIt() throws IOException {
        byte[] full = gzip(imagesIdx(LABELS.length));
        Path images = Files.write(dir.resolve("images.gz"), Arrays.copyOf(full, full.length - 12));

        CliRun run = importIdx(images, Files.write(dir.resolve("labels"), labelsIdx(LABELS)));

        assertOneLineError(run, images + ": truncated or corrupt gzip data");
    }

    /** A gzip file that declares (and would inflate to) more than the process can hold is refused from its header. */
    @Test
    void anIdxHeaderDeclaringMoreThanTheHeapIsRefused() throws IOException {
        long images = Runtime.getRuntime().maxMemory() / 4 / (ROWS * COLS) + 1;
        ByteBuffer header = ByteBuffer.allocate(16).putInt(0x00000803).putInt((int) images).putInt(ROWS).putInt(COLS);
        Path bomb = Files.write(dir.resolve("bomb.gz"), gzip(header.array()));
        CliRun run = importIdx(bomb, Files.write(dir.resolve("labels"), labelsIdx(LABELS)));
        assertOneLineError(run, bomb + ": header declares " + images + " images of 3x4");
        assertTrue(run.err().contains("more than this process can hold"), run.err());
    }

    @Test
    void headerProblemsAreOneLineErrorsNamingTheFile() throws IOException {
        Path labels = Files.write(dir.resolve("labels"), labelsIdx(LABELS));
        Path swapped = Files.write(dir.resolve("swapped"), labelsIdx(LABELS));
        assertOneLineError(importIdx(swapped, labels), swapped + ": not an IDX file of images");

        byte[] longer = Arrays.copyOf(imagesIdx(LABELS.length), imagesIdx(LABELS.length).length + 1);
        Path trailing = Files.write(dir.resolve("trailing"), longer);
        assertOneLineError(importIdx(trailing, labels), trailing + ": more data than the header's 7 images");

        Path tiny = Files.write(dir.resolve("tiny"), new byte[] {0, 0, 8});
        assertOneLineError(importIdx(tiny, labels), tiny + ": truncated IDX header");

        Path images = Files.write(dir.resolve("images"), imagesIdx(LABELS.length));
        Path fewer = Files.write(dir.resolve("fewer"), labelsIdx(Arrays.copyOf(LABELS, 5)));
        assertOneLineError(importIdx(images, fewer), fewer + " has 5 labels but " + images + " has 7 images");

        Path outOfRange = Files.write(dir.resolve("range"), labelsIdx(new int[] {0, 1, 2, 3, 0, 0, 0}));
        assertOneLineError(importIdx(images, outOfRange), outOfRange + ": label 3 of image 3 is not below the 3 classes");
    }

    @Test
    void benchmarkReportsImagesPerSecondPerEpoch() throws IOException {
        Path images = Files.write(dir.resolve("images"), imagesIdx(LABELS.length));
        Path labels = Files.write(dir.resolve("labels"), labelsIdx(LABELS));
        assertEquals(0, importIdx(images, labels).exitCode());

        CliRun run = CliRun.of("data", "benchmark", "--root", dir.resolve("out").toString(), "--split", "train",
                "--image-size", "8", "--workers", "2", "--batch", "3", "--epochs", "2");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*epoch 1: 7 images in 3 batches, .* images/s, 0 skipped.*"), run.out());
    }

    @Test
    void benchmarkOfAMissingSplitIsAOneLineError() {
        CliRun run = CliRun.of("data", "benchmark", "--root", dir.toString(), "--split", "val");
        assertOneLineError(run, dir.resolve("val").toString());
    }

    private CliRun importIdx(Path images, Path labels) {
        return CliRun.of("data", "import-idx", "--images", images.toString(), "--labels", labels.toString(),
                "--classes", "zero,one,two", "--output", dir.resolve("out/train").toString());
    }

    private static void assertOneLineError(CliRun run, String expected) {
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out());
        assertEquals(1, run.errors().strip().lines().count(), run.err());
        assertTrue(run.err().contains(expected), run.err());
    }

    private static int pixel(int image, int row, int col) {
        return (image * 37 + row * 11 + col * 5) & 0xFF;
    }

    private static byte[] imagesIdx(int count) {
        ByteBuffer idx = ByteBuffer.allocate(16 + count * ROWS * COLS);
        idx.putInt(0x00000803).putInt(count).putInt(ROWS).putInt(COLS);
        for (int i = 0; i < count; i++) {
            for (int y = 0; y < ROWS; y++) {
                for (int x = 0; x < COLS; x++) {
                    idx.put((byte) pixel(i, y, x));
                }
            }
        }
        return idx.array();
    }

    private static byte[] labelsIdx(int[] labels) {
        ByteBuffer idx = ByteBuffer.allocate(8 + labels.length);
        idx.putInt(0x00000801).putInt(labels.length);
        for (int label : labels) {
            idx.put((byte) label);
        }
        return idx.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
