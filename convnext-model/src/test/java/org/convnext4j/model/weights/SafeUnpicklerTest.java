package org.convnext4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafeUnpicklerTest {

    private static final Path FILE = Path.of("model.pth");
    private static final String PREFIX = "model.pth: model/data.pkl: ";

    // ---- values ----

    @Test
    void readsScalarsStringsAndContainers() throws WeightFileException {
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.MARK)
                .integer(-5)
                .op(PickleOpcode.BININT1).raw(200)
                .op(PickleOpcode.BININT2).raw(0x34, 0x12)
                .op(PickleOpcode.LONG1).raw(0)
                .op(PickleOpcode.LONG1).raw(2, 0xff, 0x7f)
                .op(PickleOpcode.LONG1).raw(1, 0xff)
                .op(PickleOpcode.LONG1).raw(9, 0, 0, 0, 0, 0, 0, 0, 0, 1)
                .op(PickleOpcode.BINFLOAT).raw(0x3f, 0x70, 0x62, 0x4d, 0xd2, 0xf1, 0xa9, 0xfc)
                .str("ünïcode")
                .op(PickleOpcode.SHORT_BINUNICODE).raw(2, 'h', 'i')
                .op(PickleOpcode.SHORT_BINSTRING).raw(2, 'p', 'y')
                .op(PickleOpcode.SHORT_BINBYTES).raw(3, 1, 2, 3)
                .op(PickleOpcode.NONE).op(PickleOpcode.NEWTRUE).op(PickleOpcode.NEWFALSE)
                .op(PickleOpcode.EMPTY_TUPLE)
                .op(PickleOpcode.EMPTY_LIST).integer(1).op(PickleOpcode.APPEND)
                .op(PickleOpcode.MARK).integer(2).integer(3).op(PickleOpcode.LIST)
                .op(PickleOpcode.MARK).str("k").integer(4).op(PickleOpcode.DICT)
                .op(PickleOpcode.LIST).stop();

        List<?> values = (List<?>) load(pickle);

        assertEquals(List.of(-5L, 200L, 0x1234L, 0L, 0x7fffL, -1L, BigInteger.ONE.shiftLeft(64)),
                values.subList(0, 7));
        assertEquals(0.004, values.get(7));
        assertEquals(List.of("ünïcode", "hi", "py"), values.subList(8, 11));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) values.get(11));
        assertEquals(List.of(SafeUnpickler.PyNone.NONE, true, false), values.subList(12, 15));
        assertEquals(List.of(), ((SafeUnpickler.Tuple) values.get(15)).items);
        assertEquals(List.of(1L), values.get(16));
        assertEquals(List.of(2L, 3L), values.get(17));
        assertEquals(Map.of("k", 4L), values.get(18));
    }

    @Test
    void memoSharesOneObject() throws WeightFileException {
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.EMPTY_LIST).op(PickleOpcode.BINPUT).raw(7)
                .op(PickleOpcode.BINGET).raw(7).op(PickleOpcode.LONG_BINGET).raw(7, 0, 0, 0)
                .op(PickleOpcode.TUPLE3).stop();

        List<Object> items = ((SafeUnpickler.Tuple) load(pickle)).items;

        assertSame(items.get(0), items.get(1));
        assertSame(items.get(0), items.get(2));
    }

    @Test
    void orderedDictBecomesAMapAndItsStateIsDropped() throws WeightFileException {
        // collections.OrderedDict() with items set after the REDUCE and its _metadata given by BUILD.
        byte[] pickle = PickleBuilder.protocol2().global("collections", "OrderedDict").op(PickleOpcode.EMPTY_TUPLE)
                .op(PickleOpcode.REDUCE).op(PickleOpcode.MARK).str("b").integer(1).str("a").integer(2)
                .op(PickleOpcode.SETITEMS)
                .op(PickleOpcode.EMPTY_DICT).str("_metadata").op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.SETITEM)
                .op(PickleOpcode.BUILD).stop();

        Map<?, ?> dict = (Map<?, ?>) load(pickle);

        assertEquals(List.of("b", "a"), List.copyOf(dict.keySet()));
        assertEquals(List.of(1L, 2L), List.copyOf(dict.values()));
    }

    @Test
    void namespaceAndOtherObjectsStayOpaque() throws WeightFileException {
        // argparse.Namespace as protocol 2 pickles it: NEWOBJ of the class, then BUILD with its attributes.
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.MARK)
                .global("argparse", "Namespace").op(PickleOpcode.EMPTY_TUPLE).op(PickleOpcode.NEWOBJ)
                .op(PickleOpcode.EMPTY_DICT).str("lr").op(PickleOpcode.BINFLOAT).raw(0, 0, 0, 0, 0, 0, 0, 0)
                .op(PickleOpcode.SETITEM).op(PickleOpcode.BUILD)
                .global("os", "system").op(PickleOpcode.MARK).str("touch /tmp/x").op(PickleOpcode.TUPLE)
                .op(PickleOpcode.REDUCE)
                .global("collections", "deque").op(PickleOpcode.EMPTY_TUPLE).op(PickleOpcode.REDUCE)
                .integer(1).op(PickleOpcode.APPEND)
                .op(PickleOpcode.LIST).stop();

        List<?> values = (List<?>) load(pickle);

        assertEquals(new SafeUnpickler.Global("argparse", "Namespace"), opaqueType(values.get(0)));
        assertEquals(new SafeUnpickler.Global("os", "system"), opaqueType(values.get(1)));
        assertEquals(new SafeUnpickler.Global("collections", "deque"), opaqueType(values.get(2)));
    }

    @Test
    void tensorsAndParametersBecomeViewsOfTheirStorage() throws WeightFileException {
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.MARK)
                .tensor("FloatStorage", "0", 6, 1, new long[] {2, 2}, new long[] {1, 2})
                .global("torch._utils", "_rebuild_parameter").op(PickleOpcode.MARK)
                .tensor("HalfStorage", "1", 3, 0, new long[] {3}, new long[] {1})
                .op(PickleOpcode.NEWTRUE).op(PickleOpcode.TUPLE).op(PickleOpcode.REDUCE)
                .op(PickleOpcode.LIST).stop();

        List<?> values = (List<?>) load(pickle);

        TorchTensor view = assertInstanceOf(TorchTensor.class, values.get(0));
        assertEquals(new TorchTensor.Storage(TorchDtype.FLOAT, "0", 6), view.storage());
        assertEquals(1, view.offset());
        assertArrayEquals(new long[] {2, 2}, view.size());
        assertArrayEquals(new long[] {1, 2}, view.stride());
        TorchTensor parameter = assertInstanceOf(TorchTensor.class, values.get(1));
        assertEquals(new TorchTensor.Storage(TorchDtype.HALF, "1", 3), parameter.storage());
    }

    @Test
    void protocol4FramesStackGlobalsAndMemoize() throws WeightFileException {
        byte[] body = new PickleBuilder().op(PickleOpcode.SHORT_BINUNICODE).raw(8).raw("builtins".getBytes())
                .op(PickleOpcode.MEMOIZE).op(PickleOpcode.SHORT_BINUNICODE).raw(4).raw("eval".getBytes())
                .op(PickleOpcode.MEMOIZE).op(PickleOpcode.STACK_GLOBAL).op(PickleOpcode.MEMOIZE)
                .op(PickleOpcode.BINGET).raw(2).op(PickleOpcode.TUPLE2).stop();
        byte[] pickle = new PickleBuilder().op(PickleOpcode.PROTO).raw(4).op(PickleOpcode.FRAME)
                .raw(body.length, 0, 0, 0, 0, 0, 0, 0).raw(body).bytes();

        List<Object> items = ((SafeUnpickler.Tuple) load(pickle)).items;

        assertEquals(new SafeUnpickler.Global("builtins", "eval"), items.get(0));
        assertSame(items.get(0), items.get(1));
    }

    // ---- refusals ----

    @ParameterizedTest
    @EnumSource(value = PickleOpcode.class, names = {"INST", "OBJ", "NEWOBJ_EX", "EXT1", "PERSID", "POP", "DUP",
            "GET", "PUT", "INT", "LONG", "STRING", "UNICODE", "FLOAT", "EMPTY_SET", "FROZENSET", "LONG4",
            "BYTEARRAY8", "NEXT_BUFFER"})
    void opcodesTorchSaveDoesNotWriteAreRefusedByName(PickleOpcode opcode) {
        byte[] pickle = PickleBuilder.protocol2().op(PickleOpcode.NONE).op(opcode).stop();

        assertEquals(PREFIX + "pickle opcode " + opcode + " is not one torch.save writes (pickle byte 3)",
                refusal(pickle));
    }

    @Test
    void malformedStreamsAreRefused() {
        assertEquals(PREFIX + "byte 0xff is not a pickle opcode (pickle byte 2)",
                refusal(PickleBuilder.protocol2().raw(0xff).stop()));
        assertEquals(PREFIX + "the pickle ends without a STOP opcode (pickle byte 3)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.NONE).bytes()));
        assertEquals(PREFIX + "1 bytes follow the STOP opcode (pickle byte 3)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.NONE).op(PickleOpcode.STOP).raw(0).bytes()));
        assertEquals(PREFIX + "pickle protocol 1; torch.save writes 2 (at most 5 is read) (pickle byte 0)",
                refusal(new PickleBuilder().op(PickleOpcode.PROTO).raw(1).op(PickleOpcode.NONE).stop()));
        assertEquals(PREFIX + "the stack is empty (pickle byte 2)",
                refusal(PickleBuilder.protocol2().stop()));
        assertEquals(PREFIX + "the stack is empty above the MARK (pickle byte 4)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.EMPTY_LIST).op(PickleOpcode.MARK)
                        .op(PickleOpcode.BUILD).stop()));
        assertEquals(PREFIX + "no MARK to collect values from (pickle byte 3)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.NONE).op(PickleOpcode.TUPLE).stop()));
        assertEquals(PREFIX + "memo slot 3 was never stored (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.BINGET).raw(3).stop()));
        assertEquals(PREFIX + "SETITEMS on an odd number of values (1) (pickle byte 5)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.MARK)
                        .op(PickleOpcode.NONE).op(PickleOpcode.SETITEMS).stop()));
        assertEquals(PREFIX + "APPEND to the string 's'; only lists are appended to (pickle byte 9)",
                refusal(PickleBuilder.protocol2().str("s").op(PickleOpcode.NONE).op(PickleOpcode.APPEND).stop()));
        assertEquals(PREFIX + "a list of 0 items as a dict key (pickle byte 5)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.EMPTY_LIST)
                        .op(PickleOpcode.NONE).op(PickleOpcode.SETITEM).stop()));
        assertEquals(PREFIX + "REDUCE calls the string 'f'; only a GLOBAL is expected there (pickle byte 9)",
                refusal(PickleBuilder.protocol2().str("f").op(PickleOpcode.EMPTY_TUPLE).op(PickleOpcode.REDUCE)
                        .stop()));
        assertEquals(PREFIX + "a string is not valid UTF-8 (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.SHORT_BINUNICODE).raw(1, 0xff).stop()));
    }

    @Test
    void lengthsBeyondTheStreamAreRefusedBeforeAllocating() {
        assertEquals(PREFIX + "string length 2147483647 runs past the end of the pickle (1 bytes left) (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.BINUNICODE).raw(0xff, 0xff, 0xff, 0x7f).stop()));
        assertEquals(PREFIX + "string length 18446744073709551615 runs past the end of the pickle (1 bytes left) "
                        + "(pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.BINUNICODE8)
                        .raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).stop()));
        assertEquals(PREFIX + "bytes length 200 runs past the end of the pickle (4 bytes left) (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.SHORT_BINBYTES).raw(200, 1, 2, 3).stop()));
        assertEquals(PREFIX + "string length 4294967295 runs past the end of the pickle (1 bytes left) "
                        + "(pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.BINSTRING).raw(0xff, 0xff, 0xff, 0xff).stop()));
        assertEquals(PREFIX + "frame length 4096 runs past the end of the pickle (1 bytes left) (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.FRAME).raw(0, 0x10, 0, 0, 0, 0, 0, 0).stop()));
        assertEquals(PREFIX + "needs 4 bytes, but only 2 remain (pickle byte 2)",
                refusal(PickleBuilder.protocol2().op(PickleOpcode.BININT).raw(1).stop()));
        assertTrue(refusal(PickleBuilder.protocol2().global("os" + "x".repeat(2000), "system").stop())
                .startsWith(PREFIX + "GLOBAL name without a newline in its first 1024 bytes"));
    }

    @Test
    void nestingIsCappedAtMaxDepth() throws WeightFileException {
        // n nested lists: the innermost is empty, so the outermost holds n - 1 levels.
        assertInstanceOf(List.class, load(nestedLists(SafeUnpickler.MAX_DEPTH + 1)));
        assertEquals(PREFIX + "values nest more than 1000 levels deep (pickle byte 2004)",
                refusal(nestedLists(SafeUnpickler.MAX_DEPTH + 2)));
        // Through tuples too.
        PickleBuilder tuples = PickleBuilder.protocol2().op(PickleOpcode.NONE);
        for (int i = 0; i <= SafeUnpickler.MAX_DEPTH; i++) {
            tuples.op(PickleOpcode.TUPLE1);
        }
        assertTrue(refusal(tuples.stop()).contains("values nest more than 1000 levels deep"));
    }

    @Test
    void deeplyNestedDictValuesAreCapped() {
        // {None: {None: ... }} built inner first, as a pickler writes it.
        PickleBuilder dicts = PickleBuilder.protocol2();
        for (int i = 0; i <= SafeUnpickler.MAX_DEPTH; i++) {
            dicts.op(PickleOpcode.EMPTY_DICT).op(PickleOpcode.NONE);
        }
        dicts.op(PickleOpcode.NONE);
        for (int i = 0; i <= SafeUnpickler.MAX_DEPTH; i++) {
            dicts.op(PickleOpcode.SETITEM);
        }

        assertTrue(refusal(dicts.stop()).contains("values nest more than 1000 levels deep"));
    }

    @Test
    void storagesMustBeTorchStoragesWithSafeKeys() {
        assertEquals(PREFIX + "persistent id the string 'x'; expected ('storage', storage type, key, location, "
                + "size) (pickle byte 8)", refusal(PickleBuilder.protocol2().str("x").op(PickleOpcode.BINPERSID)
                .stop()));
        assertTrue(refusal(persistentId("torch", "FooStorage", "0", 1)).contains(
                "storage type torch.FooStorage is not a storage class torch.save writes"));
        assertTrue(refusal(persistentId("os", "FloatStorage", "0", 1)).contains(
                "storage type the global os.FloatStorage; expected a torch.*Storage class"));
        assertTrue(refusal(persistentId("torch", "FloatStorage", "../../etc/passwd", 1)).contains(
                "storage key the string '../../etc/passwd'; expected a short name of letters and digits"));
        assertTrue(refusal(persistentId("torch", "FloatStorage", "0", -1)).contains(
                "storage '0' size the int -1; expected a non-negative element count"));
        assertTrue(refusal(persistentId("torch", "DoubleStorage", "0", 1L << 29)).contains(
                "storage '0' holds 536870912 elements of torch.DoubleStorage, more than the 2147483639 bytes"));
        byte[] redeclared = PickleBuilder.protocol2()
                .tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .tensor("FloatStorage", "0", 8, 0, new long[] {4}, new long[] {1})
                .op(PickleOpcode.TUPLE2).stop();
        assertTrue(refusal(redeclared).contains("storage '0' is declared twice"));
    }

    @Test
    void tensorViewsMustLieInsideTheirStorage() {
        assertTrue(refusal(tensor(4, 1, new long[] {4}, new long[] {1})).contains(
                "tensor of size [4], stride [1] and offset 1 on storage '0' (4 elements) reaches past the end of its"
                        + " storage"));
        assertTrue(refusal(tensor(12, 0, new long[] {3, 4}, new long[] {5, 1})).contains("reaches past the end"));
        assertTrue(refusal(tensor(4, 5, new long[] {0}, new long[] {1})).contains("reaches past the end"));
        assertTrue(refusal(tensor(4, 0, new long[] {2, 2}, new long[] {1})).contains(
                "tensor size has 2 dimensions but its stride 1"));
        assertTrue(refusal(tensor(4, 0, new long[] {4}, new long[] {-1})).contains(
                "tensor stride holds the int -1; expected a non-negative integer"));
        assertTrue(refusal(tensor(4, 0, new long[] {1L << 31, 1L << 31, 1L << 31}, new long[] {0, 0, 0})).contains(
                "overflows a 64-bit element index"));
        assertTrue(refusal(tensor(4, 0, new long[] {1L << 31}, new long[] {0})).contains(
                "has 2147483648 elements; at most 2147483639 fit an array"));
    }

    @Test
    void messagesNeverSpanLines() {
        String message = refusal(PickleBuilder.protocol2().str("line\nbreak").op(PickleOpcode.EMPTY_TUPLE)
                .op(PickleOpcode.REDUCE).stop());

        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains("the string 'line?break'"), message);
    }

    // ---- helpers ----

    private static Object load(byte[] pickle) throws WeightFileException {
        return SafeUnpickler.load(FILE, "model/data.pkl", pickle);
    }

    private static String refusal(byte[] pickle) {
        return assertThrows(WeightFileException.class, () -> load(pickle)).getMessage();
    }

    private static SafeUnpickler.Global opaqueType(Object value) {
        return assertInstanceOf(SafeUnpickler.Opaque.class, value).type;
    }

    private static byte[] nestedLists(int count) {
        PickleBuilder pickle = PickleBuilder.protocol2();
        for (int i = 0; i < count; i++) {
            pickle.op(PickleOpcode.EMPTY_LIST);
        }
        for (int i = 1; i < count; i++) {
            pickle.op(PickleOpcode.APPEND);
        }
        return pickle.stop();
    }

    private static byte[] persistentId(String module, String storageClass, String key, long numel) {
        PickleBuilder pickle = PickleBuilder.protocol2().op(PickleOpcode.MARK).str("storage").global(module, storageClass)
                .str(key).str("cpu");
        if (numel == (int) numel) {
            pickle.integer(numel);
        } else {
            pickle.op(PickleOpcode.LONG1).raw(8).raw(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN).putLong(numel).array());
        }
        return pickle.op(PickleOpcode.TUPLE).op(PickleOpcode.BINPERSID).stop();
    }

    private static byte[] tensor(long numel, long offset, long[] size, long[] stride) {
        PickleBuilder pickle = PickleBuilder.protocol2().global("torch._utils", "_rebuild_tensor_v2")
                .op(PickleOpcode.MARK).op(PickleOpcode.MARK).str("storage").global("torch", "FloatStorage")
                .str("0").str("cpu").integer(numel).op(PickleOpcode.TUPLE).op(PickleOpcode.BINPERSID)
                .integer(offset);
        for (long[] dimensions : new long[][] {size, stride}) {
            pickle.op(PickleOpcode.MARK);
            for (long d : dimensions) {
                // BININT holds 32 bits; larger sizes go as LONG1.
                if (d == (int) d) {
                    pickle.integer(d);
                } else {
                    pickle.op(PickleOpcode.LONG1).raw(8).raw(ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN).putLong(d).array());
                }
            }
            pickle.op(PickleOpcode.TUPLE);
        }
        return pickle.op(PickleOpcode.NEWFALSE).op(PickleOpcode.TUPLE).op(PickleOpcode.REDUCE).stop();
    }
}
