package org.convnext4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checkpoints of {@code src/test/resources/pth-fixtures} (made by its generate_pth_fixtures.py with torch 1.13)
 * against the safetensors fixtures holding the same weights, and hand-built checkpoints for each refusal.
 */
class PyTorchCheckpointTest {

    /** What the os.system fixture's command would create. */
    private static final Path MARKER = Path.of("/tmp/convnext4j_pth_marker");

    @TempDir
    Path dir;

    // ---- checkpoints saved by torch ----

    @Test
    void trainingCheckpointGivesItsModelStateDict() throws IOException {
        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("official_checkpoint.pth"));

        assertEquals("state dict under 'model' (65 tensors)", selected.description());
        assertSameTensors(WeightFixtures.weights(WeightNaming.OFFICIAL), selected.tensors());
    }

    @Test
    void keyPicksAnotherStateDict() throws IOException {
        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("official_checkpoint.pth"), "model_ema");

        assertEquals("state dict under 'model_ema' (65 tensors)", selected.description());
        assertSameTensors(WeightFixtures.weights(WeightNaming.TIMM), selected.tensors());
    }

    @Test
    void keyMustNameAStateDict() {
        Path file = fixture("official_checkpoint.pth");

        String missing = refusal(file, "ema");
        String optimizer = refusal(file, "optimizer");
        String epoch = refusal(file, "epoch");

        assertEquals(file + ": no key 'ema'; top-level keys: ['model', 'model_ema', 'optimizer', 'epoch', 'args', "
                + "'lr', 'max_accuracy', 'scaler']", missing);
        assertEquals(file + ": 'optimizer' is not a state dict: it holds a dict of 2 entries under 'state'",
                optimizer);
        assertEquals(file + ": 'epoch' is not a state dict: it is the int 3", epoch);
    }

    @Test
    void torchvisionFileIsItselfTheStateDict() throws IOException {
        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("torchvision_state_dict.pth"));

        assertEquals("top-level state dict (65 tensors)", selected.description());
        assertSameTensors(WeightFixtures.weights(WeightNaming.TORCHVISION), selected.tensors());
    }

    @Test
    void moduleprefixIsRemovedFromAStateDictSavedThroughABuffer() throws IOException {
        // Saved to a buffer, so its folder is 'archive/' instead of the file's name.
        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("timm_module_prefixed.pt"));

        assertEquals("state dict under 'state_dict' (65 tensors, prefix 'module.' removed)", selected.description());
        assertSameTensors(WeightFixtures.weights(WeightNaming.TIMM), selected.tensors());
    }

    @Test
    void halfAndBfloat16AreWidenedToFloat() throws IOException {
        Map<String, INDArray> expected = WeightFixtures.weights(WeightNaming.OFFICIAL);

        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("official_half.pth"));

        assertEquals("state dict under 'model_ema' (65 tensors)", selected.description());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(selected.tensors().keySet()));
        int inexact = 0;
        for (Map.Entry<String, INDArray> entry : expected.entrySet()) {
            INDArray read = selected.tensors().get(entry.getKey());
            assertEquals(DataType.FLOAT, read.dataType(), entry.getKey());
            assertArrayEquals(entry.getValue().shape(), read.shape(), entry.getKey());
            // The generator stored '*weight' as float16 (11 significant bits) and the rest as bfloat16 (8).
            double relative = entry.getKey().endsWith("weight") ? 0x1p-11 : 0x1p-8;
            float[] want = entry.getValue().data().asFloat();
            float[] got = read.data().asFloat();
            for (int i = 0; i < want.length; i++) {
                // Half subnormals are spaced 2^-24 apart.
                double tolerance = Math.abs(want[i]) * relative + 0x1p-25;
                assertTrue(Math.abs(got[i] - want[i]) <= tolerance,
                        entry.getKey() + "[" + i + "]: " + got[i] + " vs " + want[i]);
                inexact += got[i] == want[i] ? 0 : 1;
            }
        }
        assertTrue(inexact > 1000, "the fixture's values are rounded, so most differ from float32");
    }

    @Test
    void nonContiguousAndOffsetViewsReadAsTheirElements() throws IOException {
        // Linear weights are transposed views, conv weights channels-last, each LayerNorm's weight and bias halves
        // of one storage, gammas every other element of theirs.
        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(fixture("official_views.pth"));

        assertEquals("top-level state dict (65 tensors)", selected.description());
        assertSameTensors(WeightFixtures.weights(WeightNaming.OFFICIAL), selected.tensors());
    }

    @Test
    void legacyFormatIsRefusedWithHowToResaveIt() {
        Path file = fixture("legacy_format.pth");

        String message = refusal(file, null);

        assertEquals(file + ": a PyTorch checkpoint in the legacy format of torch before 1.6, which is not read; "
                + "re-save it with torch 1.6 or later: torch.save(torch.load(f), f2), "
                + "or torch.save(obj, f2, _use_new_zipfile_serialization=True)", message);
    }

    // ---- hostile checkpoints ----

    @Test
    void osSystemIsNeverCalled() throws IOException {
        Files.deleteIfExists(MARKER);
        Path file = fixture("hostile_os_system.pth");

        String message = refusal(file, null);

        assertFalse(Files.exists(MARKER), "the pickle's os.system ran");
        assertEquals(file + ": no state dict (a dict of tensors) at the top level or under 'model', 'state_dict', "
                + "'model_ema', 'module'; top-level keys: ['model']; 'model' holds an object of type os.system "
                + "under 'evil' (pick another with a key)", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hostile_builtin_eval.pth | the checkpoint is an object of type __builtin__.eval",
        "hostile_builtins_eval_stack_global.pth | 'model' holds an object of type builtins.eval under 'head.bias'",
        "hostile_deep_nesting.pth | values nest more than 1000 levels deep",
        "hostile_storage_overclaim.pth | storage '0' of tensor 'head.weight' declares 1000 elements of "
                + "torch.FloatStorage, 4000 bytes, but its entry hostile_storage_overclaim/data/0 holds only 16",
    })
    void hostileCheckpointsAreOneLineRefusals(String name, String problem) throws IOException {
        Files.deleteIfExists(MARKER);
        Path file = fixture(name);

        String message = refusal(file, null);

        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(problem), message);
        assertFalse(message.contains("\n"), message);
        assertFalse(Files.exists(MARKER));
    }

    // ---- hand-built checkpoints: layouts ----

    @Test
    void viewsOffsetsBroadcastsScalarsAndEveryFloatType() throws IOException {
        ByteBuffer floats = little(12 * 4);
        for (int i = 0; i < 12; i++) {
            floats.putFloat(i);
        }
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                .str("matrix").tensor("FloatStorage", "0", 12, 0, new long[] {3, 4}, new long[] {4, 1})
                .str("transposed").tensor("FloatStorage", "0", 12, 0, new long[] {4, 3}, new long[] {1, 4})
                .str("strided").tensor("FloatStorage", "0", 12, 5, new long[] {2}, new long[] {3})
                .str("broadcast").tensor("FloatStorage", "0", 12, 1, new long[] {2, 3}, new long[] {0, 1})
                .str("scalar").tensor("FloatStorage", "0", 12, 7, new long[0], new long[0])
                .str("empty").tensor("FloatStorage", "0", 12, 12, new long[] {0, 3}, new long[] {3, 1})
                .str("double").tensor("DoubleStorage", "1", 2, 0, new long[] {2}, new long[] {1})
                .str("half").tensor("HalfStorage", "2", 2, 0, new long[] {2}, new long[] {1})
                .str("brain").tensor("BFloat16Storage", "3", 2, 0, new long[] {2}, new long[] {1})
                .str("num_batches_tracked").tensor("LongStorage", "4", 1, 0, new long[0], new long[0])
                .op(PickleOpcode.SETITEMS).stop();
        Path file = torchZip("views.pth", pickle, Map.of(
                "data/0", floats.array(),
                "data/1", little(16).putDouble(Math.PI).putDouble(-0.25).array(),
                "data/2", little(4).putShort((short) 0x3555).putShort((short) 0xc000).array(),
                "data/3", little(4).putShort((short) 0x4049).putShort((short) 0x3f80).array(),
                "data/4", little(8).putLong(3).array()));

        PyTorchCheckpoint.Selected selected = PyTorchCheckpoint.read(file);

        assertEquals("top-level state dict (9 tensors; left out 1 non-float tensor, e.g. 'num_batches_tracked' "
                + "(LONG))", selected.description());
        Map<String, INDArray> t = selected.tensors();
        assertEquals(List.of("matrix", "transposed", "strided", "broadcast", "scalar", "empty", "double", "half",
                "brain"), List.copyOf(t.keySet()));
        assertTensor(t.get("matrix"), new long[] {3, 4}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertTensor(t.get("transposed"), new long[] {4, 3}, 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        assertTensor(t.get("strided"), new long[] {2}, 5, 8);
        assertTensor(t.get("broadcast"), new long[] {2, 3}, 1, 2, 3, 1, 2, 3);
        assertTensor(t.get("scalar"), new long[0], 7);
        assertTensor(t.get("empty"), new long[] {0, 3});
        assertEquals(DataType.DOUBLE, t.get("double").dataType());
        assertArrayEquals(new double[] {Math.PI, -0.25}, t.get("double").data().asDouble());
        assertTensor(t.get("half"), new long[] {2}, 0.333251953125f, -2f);
        assertTensor(t.get("brain"), new long[] {2}, 3.140625f, 1f);
    }

    @Test
    void byteOrderRecordIsHonoured() throws IOException {
        byte[] pickle = stateDict("w", 2);
        ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-3f);
        ByteBuffer little = little(8).putFloat(1.5f).putFloat(-3f);

        Path bigFile = torchZip("big.pth", pickle, Map.of("byteorder", ascii("big"), "data/0", big.array()));
        Path littleFile = torchZip("little.pth", pickle, Map.of("byteorder", ascii("little"), "data/0",
                little.array()));
        Path oddFile = torchZip("odd.pth", pickle, Map.of("byteorder", ascii("middle"), "data/0", little.array()));

        assertTensor(PyTorchCheckpoint.read(bigFile).tensors().get("w"), new long[] {2}, 1.5f, -3f);
        assertTensor(PyTorchCheckpoint.read(littleFile).tensors().get("w"), new long[] {2}, 1.5f, -3f);
        assertEquals(oddFile + ": entry odd/byteorder says 'middle'; expected 'little' or 'big'", refusal(oddFile, null));
    }

    @Test
    void wrappersArePreferredInOrderAndSkippedWhenTheyHoldNoStateDict() throws IOException {
        Map<String, byte[]> data = Map.of("data/0", little(4).putFloat(1f).array(), "data/1",
                little(4).putFloat(2f).array());
        byte[] moduleAndModel = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                .str("module").op(PickleOpcode.EMPTY_DICT).str("w").floatTensor("0", 1).op(PickleOpcode.SETITEM)
                .str("model").op(PickleOpcode.EMPTY_DICT).str("w").floatTensor("1", 1).op(PickleOpcode.SETITEM)
                .op(PickleOpcode.SETITEMS).stop();
        byte[] modelIsNotOne = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                .str("model").op(PickleOpcode.EMPTY_DICT).str("w").integer(1).op(PickleOpcode.SETITEM)
                .str("module").op(PickleOpcode.EMPTY_DICT).str("w").floatTensor("0", 1).op(PickleOpcode.SETITEM)
                .op(PickleOpcode.SETITEMS).stop();

        PyTorchCheckpoint.Selected preferred = PyTorchCheckpoint.read(torchZip("both.pth", moduleAndModel, data));
        PyTorchCheckpoint.Selected fallback = PyTorchCheckpoint.read(torchZip("fallback.pth", modelIsNotOne, data));

        assertEquals("state dict under 'model' (1 tensor)", preferred.description());
        assertTensor(preferred.tensors().get("w"), new long[] {1}, 2f);
        assertEquals("state dict under 'module' (1 tensor)", fallback.description());
        assertTensor(fallback.tensors().get("w"), new long[] {1}, 1f);
    }

    @Test
    void prefixesAreRemovedOnlyWhenEveryNameCarriesThem() throws IOException {
        Map<String, byte[]> data = Map.of("data/0", little(4).putFloat(1f).array(), "data/1",
                little(4).putFloat(2f).array());
        byte[] all = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                .str("model.a").floatTensor("0", 1).str("model.b").floatTensor("1", 1)
                .op(PickleOpcode.SETITEMS).stop();
        byte[] some = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                .str("model.a").floatTensor("0", 1).str("b").floatTensor("1", 1)
                .op(PickleOpcode.SETITEMS).stop();

        PyTorchCheckpoint.Selected stripped = PyTorchCheckpoint.read(torchZip("all.pth", all, data));
        PyTorchCheckpoint.Selected kept = PyTorchCheckpoint.read(torchZip("some.pth", some, data));

        assertEquals("top-level state dict (2 tensors, prefix 'model.' removed)", stripped.description());
        assertEquals(List.of("a", "b"), List.copyOf(stripped.tensors().keySet()));
        assertEquals(List.of("model.a", "b"), List.copyOf(kept.tensors().keySet()));
    }

    // ---- hand-built checkpoints: refusals ----

    @Test
    void checkpointWithoutAStateDictNamesItsTopLevelKeys() throws IOException {
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).str("epoch").integer(3)
                .op(PickleOpcode.SETITEM).stop();
        Path file = torchZip("epoch.pth", pickle, Map.of());

        assertEquals(file + ": no state dict (a dict of tensors) at the top level or under 'model', 'state_dict', "
                + "'model_ema', 'module'; top-level keys: ['epoch'] (pick another with a key)", refusal(file, null));
    }

    @Test
    void storageEntryHoldingMoreThanDeclaredIsRefused() throws IOException {
        Path file = torchZip("overfull.pth", stateDict("w", 2), Map.of("data/0", new byte[12]));

        assertEquals(file + ": entry overfull/data/0 holds 12 bytes, more than its storage '0' of tensor 'w' "
                + "declares 2 elements of torch.FloatStorage, 8 bytes", refusal(file, null));
    }

    @Test
    void missingStorageEntryIsRefused() throws IOException {
        Path file = torchZip("missing.pth", stateDict("w", 2), Map.of("data/1", new byte[8]));

        assertEquals(file + ": storage '0' of tensor 'w' has no entry missing/data/0", refusal(file, null));
    }

    @Test
    void entriesOutsideThePicklesFolderAreRefused() throws IOException {
        Path file = dir.resolve("outside.pth");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "outside/data.pkl", stateDict("w", 2));
            put(zip, "elsewhere/data/0", new byte[8]);
        }

        assertEquals(file + ": entry elsewhere/data/0 lies outside the folder outside/ of outside/data.pkl",
                refusal(file, null));
    }

    @Test
    void aSecondPickleIsRefused() throws IOException {
        Path file = dir.resolve("two.pth");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "two/data.pkl", stateDict("w", 2));
            put(zip, "two/other/data.pkl", stateDict("w", 2));
        }

        assertEquals(file + ": two pickles, two/data.pkl and two/other/data.pkl; a PyTorch checkpoint has one",
                refusal(file, null));
    }

    @Test
    void duplicateEntryNamesAreRefused() throws IOException {
        Path file = dir.resolve("twice.pth");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "twice/data.pkl", stateDict("w", 2));
            put(zip, "twice/data/0", new byte[8]);
            put(zip, "twice/data/X", little(8).putFloat(1f).putFloat(2f).array());
        }
        // ZipOutputStream refuses to write a name twice; rename the last entry in its headers instead.
        byte[] bytes = Files.readAllBytes(file);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1).replace("twice/data/X", "twice/data/0");
        Files.write(file, latin.getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(file + ": entry twice/data/0 appears twice", refusal(file, null));
    }

    @Test
    void zipWithoutAPickleIsNoCheckpoint() throws IOException {
        Path file = dir.resolve("plain.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "readme.txt", ascii("hello"));
        }

        assertEquals(file + ": a zip archive without a <folder>/data.pkl entry: not a PyTorch checkpoint",
                refusal(file, null));
    }

    @Test
    void tarAndOtherFilesAreRefusedWithTheResaveHint() throws IOException {
        byte[] tar = new byte[1024];
        System.arraycopy(ascii("ustar"), 0, tar, 257, 5);
        Path tarFile = Files.write(dir.resolve("old.pth"), tar);
        Path textFile = Files.write(dir.resolve("text.pth"), ascii("not a checkpoint"));

        String tarMessage = refusal(tarFile, null);
        String textMessage = refusal(textFile, null);

        assertTrue(tarMessage.startsWith(tarFile + ": a tar archive, the legacy format of torch before 0.4"),
                tarMessage);
        assertTrue(tarMessage.endsWith("torch.save(torch.load(f), f2), "
                + "or torch.save(obj, f2, _use_new_zipfile_serialization=True)"), tarMessage);
        assertTrue(textMessage.startsWith(textFile + ": not a zip archive ("), textMessage);
        assertTrue(textMessage.contains("torch.save(torch.load(f), f2)"), textMessage);
    }

    // ---- helpers ----

    static Path fixture(String name) {
        try {
            return Path.of(PyTorchCheckpointTest.class.getResource("/pth-fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The message of the refusal, which must be a one-line WeightFileException. */
    private static String refusal(Path file, String key) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> PyTorchCheckpoint.read(file, key));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    static void assertSameTensors(Map<String, INDArray> expected, Map<String, INDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> entry : expected.entrySet()) {
            INDArray read = actual.get(entry.getKey());
            assertEquals(entry.getValue().dataType(), read.dataType(), entry.getKey());
            assertArrayEquals(entry.getValue().shape(), read.shape(), entry.getKey());
            assertArrayEquals(entry.getValue().dup('c').data().asFloat(), read.dup('c').data().asFloat(),
                    entry.getKey());
        }
    }

    private static void assertTensor(INDArray tensor, long[] shape, float... values) {
        assertEquals(DataType.FLOAT, tensor.dataType());
        assertArrayEquals(shape, tensor.shape());
        assertArrayEquals(values, tensor.length() == 0 ? new float[0] : tensor.dup('c').data().asFloat());
    }

    /** {@code {name: float32 tensor of numel elements on storage '0'}}. */
    private static byte[] stateDict(String name, long numel) {
        return PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).str(name).floatTensor("0", numel)
                .op(PickleOpcode.SETITEM).stop();
    }

    /** A checkpoint laid out as torch.save lays it out: everything in a folder named after the file. */
    private Path torchZip(String fileName, byte[] pickle, Map<String, byte[]> entries) throws IOException {
        Path file = dir.resolve(fileName);
        String folder = fileName.substring(0, fileName.lastIndexOf('.')) + "/";
        Map<String, byte[]> inOrder = new LinkedHashMap<>();
        inOrder.put("data.pkl", pickle);
        entries.keySet().stream().sorted().forEach(name -> inOrder.put(name, entries.get(name)));
        inOrder.put("version", ascii("3\n"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> entry : inOrder.entrySet()) {
                put(zip, folder + entry.getKey(), entry.getValue());
            }
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
