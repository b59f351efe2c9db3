package org.convnext4j.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads the state dict of a PyTorch checkpoint ({@code .pth}, {@code .pt}, {@code .bin}) in the zip format of
 * torch 1.6 and later: a folder named after the saved file, holding {@code data.pkl} (the pickled object), one
 * {@code data/<key>} entry per storage, and small records such as {@code version} and {@code byteorder}.
 *
 * <p>Nothing in the file is trusted: the pickle is read by {@link SafeUnpickler}, which never runs code, and each
 * storage entry must hold exactly the bytes its storage declares, capped at that size while it inflates. The zip is
 * read through its central directory, as torch itself reads it: torch writes its entries with the sizes in a data
 * descriptor after the data, so the local headers alone do not say where an entry ends.
 */
public final class PyTorchCheckpoint {

    private static final String PICKLE = "data.pkl";
    private static final String BYTE_ORDER = "byteorder";
    private static final String DATA_FOLDER = "data/";

    /** Real pickles are kilobytes to a few megabytes; the object graph of a larger one could exhaust the heap. */
    private static final int MAX_PICKLE_BYTES = 32 << 20;

    /** "little" or "big". */
    private static final int MAX_BYTE_ORDER_BYTES = 16;

    /** Longer entry names are shortened in messages. */
    private static final int MAX_NAME_CHARS = 200;

    /**
     * How the legacy format (torch before 1.6) begins: pickle protocol 2, then LONG1 of torch's magic number
     * 0x1950a86a20f9469cfc6c.
     */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a,
            0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    /** Tar archives (the format of torch before 0.4) say "ustar" at this offset. */
    private static final int TAR_MAGIC_OFFSET = 257;

    private static final String RESAVE_HINT = "re-save it with torch 1.6 or later: torch.save(torch.load(f), f2), "
            + "or torch.save(obj, f2, _use_new_zipfile_serialization=True)";

    /**
     * A state dict and which one it is.
     *
     * @param tensors     parameter name to tensor, in the checkpoint's order: FLOAT (float32, and float16 and
     *                    bfloat16 widened) or DOUBLE arrays with the tensors' shapes
     * @param description one line saying where the state dict was found and what was left out, e.g.
     *                    "state dict under 'model' (182 tensors)"
     */
    public record Selected(Map<String, INDArray> tensors, String description) {
    }

    private PyTorchCheckpoint() {
    }

    /** The state dict of {@code file}, found where training scripts and model zoos usually put it. */
    public static Selected read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * The state dict of {@code file}.
     *
     * @param key the top-level key holding the state dict (a caller's {@code --key}), or null to take the
     *            checkpoint itself if it is one, else the first of 'model', 'state_dict', 'model_ema', 'module'
     *            holding one
     * @throws WeightFileException for a legacy or malformed checkpoint, or one without such a state dict
     */
    public static Selected read(Path file, String key) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new WeightFileException(file, notZipProblem(file, e), e);
        }
        try (zip) {
            String prefix = folder(file, zip);
            ByteOrder byteOrder = byteOrder(file, zip, prefix);
            String pickleName = prefix + PICKLE;
            Object checkpoint = SafeUnpickler.load(file, printable(pickleName),
                    readCapped(file, zip, entry(zip, pickleName), MAX_PICKLE_BYTES));
            StateDictFinder.Found found = StateDictFinder.find(file, checkpoint, key);

            Map<String, List<String>> viewsByStorage = new LinkedHashMap<>();
            found.tensors().forEach((name, tensor) ->
                    viewsByStorage.computeIfAbsent(tensor.storage().key(), k -> new ArrayList<>()).add(name));
            Map<String, INDArray> read = new LinkedHashMap<>();
            for (List<String> views : viewsByStorage.values()) {
                TorchTensor.Storage storage = found.tensors().get(views.get(0)).storage();
                ByteBuffer data = ByteBuffer.wrap(readStorage(file, zip, prefix, storage, views.get(0)))
                        .order(byteOrder);
                for (String name : views) {
                    read.put(name, found.tensors().get(name).read(data));
                }
            }
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (String name : found.tensors().keySet()) {
                tensors.put(name, read.get(name));
            }
            return new Selected(tensors, found.description());
        } catch (ZipException e) {
            throw new WeightFileException(file, "not a readable zip archive (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The folder of the one {@code <folder>/data.pkl} entry, with its slash, after checking that every entry lies in
     * it and that no name appears twice (a reader would see one of them, and another reader maybe the other).
     */
    private static String folder(Path file, ZipFile zip) throws WeightFileException {
        Set<String> names = new HashSet<>();
        List<String> pickles = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
            String name = entries.nextElement().getName();
            if (!names.add(name)) {
                throw new WeightFileException(file, "entry " + printable(name) + " appears twice");
            }
            if (name.endsWith("/" + PICKLE)) {
                pickles.add(name);
            }
        }
        if (pickles.size() != 1) {
            throw new WeightFileException(file, pickles.isEmpty()
                    ? "a zip archive without a <folder>/" + PICKLE + " entry: not a PyTorch checkpoint"
                    : "two pickles, " + printable(pickles.get(0)) + " and " + printable(pickles.get(1))
                    + "; a PyTorch checkpoint has one");
        }
        String prefix = pickles.get(0).substring(0, pickles.get(0).length() - PICKLE.length());
        for (String name : names) {
            if (!name.startsWith(prefix)) {
                throw new WeightFileException(file, "entry " + printable(name) + " lies outside the folder "
                        + printable(prefix) + " of " + printable(prefix + PICKLE));
            }
        }
        return prefix;
    }

    /** The byte order of the storages: the {@code byteorder} record of torch 2.1 and later, else little-endian. */
    private static ByteOrder byteOrder(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry entry = entry(zip, prefix + BYTE_ORDER);
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String value = new String(readCapped(file, zip, entry, MAX_BYTE_ORDER_BYTES), StandardCharsets.US_ASCII);
        return switch (value) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new WeightFileException(file, "entry " + printable(entry.getName()) + " says '"
                    + printable(value) + "'; expected 'little' or 'big'");
        };
    }

    /** The bytes of {@code storage}, which must be exactly as many as it declares. */
    private static byte[] readStorage(Path file, ZipFile zip, String prefix, TorchTensor.Storage storage,
                                      String tensor) throws IOException {
        String name = prefix + DATA_FOLDER + storage.key();
        ZipEntry entry = entry(zip, name);
        if (entry == null) {
            throw new WeightFileException(file, "storage '" + storage.key() + "' of tensor '"
                    + SafeUnpickler.abbreviate(tensor) + "' has no entry " + printable(name));
        }
        int expected = (int) storage.byteLength();   // at most MAX_STORAGE_BYTES, checked when unpickled
        String declared = "storage '" + storage.key() + "' of tensor '" + SafeUnpickler.abbreviate(tensor)
                + "' declares " + storage.numel() + " elements of torch." + storage.dtype().storageClass + ", "
                + expected + " bytes";
        // The central directory's size is checked first, so that a lie there costs nothing; the bytes actually
        // inflated are checked as they are read.
        if (entry.getSize() > expected) {
            throw new WeightFileException(file, "entry " + printable(name) + " holds " + entry.getSize()
                    + " bytes, more than its " + declared);
        }
        byte[] bytes = readCapped(zip, entry, expected);
        if (bytes.length > expected) {
            throw new WeightFileException(file, "entry " + printable(name) + " inflates to more bytes than its "
                    + declared);
        }
        if (bytes.length < expected) {
            throw new WeightFileException(file, declared + ", but its entry " + printable(name) + " holds only "
                    + bytes.length);
        }
        return bytes;
    }

    /** The entry named exactly {@code name}; ZipFile.getEntry would also return a folder {@code name/}. */
    private static ZipEntry entry(ZipFile zip, String name) {
        ZipEntry entry = zip.getEntry(name);
        return entry != null && entry.getName().equals(name) ? entry : null;
    }

    private static byte[] readCapped(Path file, ZipFile zip, ZipEntry entry, int cap) throws IOException {
        byte[] bytes = readCapped(zip, entry, cap);
        if (bytes.length > cap) {
            throw new WeightFileException(file, "entry " + printable(entry.getName()) + " inflates to more than "
                    + cap + " bytes");
        }
        return bytes;
    }

    /** At most {@code cap + 1} bytes of {@code entry}: one more than allowed tells that it holds too many. */
    private static byte[] readCapped(ZipFile zip, ZipEntry entry, int cap) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes(cap + 1);
        }
    }

    /** Entry names go into one-line messages; a hostile one must not span lines or pages. */
    private static String printable(String name) {
        String shortened = name.length() <= MAX_NAME_CHARS ? name : name.substring(0, MAX_NAME_CHARS - 3) + "...";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }

    /** Why a file that is no zip archive cannot be read, saying how to convert torch's legacy formats. */
    private static String notZipProblem(Path file, ZipException e) throws IOException {
        byte[] start;
        try (InputStream in = Files.newInputStream(file)) {
            start = in.readNBytes(TAR_MAGIC_OFFSET + 5);
        }
        if (start.length >= LEGACY_MAGIC.length
                && Arrays.equals(start, 0, LEGACY_MAGIC.length, LEGACY_MAGIC, 0, LEGACY_MAGIC.length)) {
            return "a PyTorch checkpoint in the legacy format of torch before 1.6, which is not read; " + RESAVE_HINT;
        }
        if (start.length == TAR_MAGIC_OFFSET + 5
                && new String(start, TAR_MAGIC_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return "a tar archive, the legacy format of torch before 0.4, which is not read; " + RESAVE_HINT;
        }
        return "not a zip archive (" + e.getMessage() + "), so not a PyTorch checkpoint of torch 1.6 or later; "
                + "if it comes from an older torch, " + RESAVE_HINT;
    }
}
