package org.convnext4j.model.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the pickle of a {@code torch.save} checkpoint into plain Java values without ever calling or
 * instantiating anything the pickle names: Python's own unpickler calls whatever a GLOBAL names, which is how a
 * checkpoint runs code. Here a GLOBAL is an inert {@link Global}, and REDUCE, NEWOBJ and BUILD only recognise
 * {@code collections.OrderedDict} (a {@link LinkedHashMap}) and torch's tensor rebuilders (a {@link TorchTensor});
 * everything else becomes an {@link Opaque} value, which can never be a weight.
 *
 * <p>Values: {@link String}, {@link Long} or {@link BigInteger} (int), {@link Double} (float), {@link Boolean},
 * {@code byte[]}, {@link PyNone#NONE}, {@link ArrayList} (list), {@link LinkedHashMap} (dict),
 * {@link Tuple}, {@link Global}, {@link Opaque} and {@link TorchTensor}. Only the opcodes {@code torch.save} writes
 * (protocol 2, and protocol 4's framing) are implemented; any other is refused by name.
 */
final class SafeUnpickler {

    /**
     * Real checkpoints nest a few levels. Nothing here recurses into values, but code using them might (a printer,
     * an equals), so a pickle nesting deeper is refused as the bomb it is.
     */
    static final int MAX_DEPTH = 1000;

    /** Module and attribute names are identifiers; a longer line is not a name. */
    private static final int MAX_GLOBAL_LINE_BYTES = 1024;

    /** Storage keys are small decimal numbers; they become zip entry names, so nothing else is let through. */
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    /** A tensor's rank; real ones have a handful of dimensions. */
    private static final int MAX_RANK = 32;

    /** Each tensor becomes one Java array, which cannot be longer than this on every JVM. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Each storage is read into one byte array. */
    static final long MAX_STORAGE_BYTES = Integer.MAX_VALUE - 8;

    /** What a GLOBAL pushes: the name of a Python object, never the object. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /**
     * A Python tuple. Equal only to itself: a tuple can hold a list that holds the tuple, and a value-based
     * hashCode would recurse without end when such a tuple is a dict key.
     */
    static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }
    }

    /** What REDUCE or NEWOBJ made of a GLOBAL we do not know: its name only; its arguments and state are dropped. */
    static final class Opaque {
        final Global type;

        Opaque(Global type) {
            this.type = type;
        }
    }

    /** Python's None; null would be ambiguous with "absent" in maps. */
    enum PyNone { NONE }

    private final Path file;
    private final String entry;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    /** Stack sizes at each open MARK. */
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /** Nesting depth of every container that holds something; a value not in here has depth 0. */
    private final Map<Object, Integer> depths = new IdentityHashMap<>();
    private final Map<String, TorchTensor.Storage> storages = new HashMap<>();
    /** Where the opcode being executed starts, for messages. */
    private int opcodeStart;

    private SafeUnpickler(Path file, String entry, byte[] pickle) {
        this.file = file;
        this.entry = entry;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The object {@code pickle} (the zip entry {@code entry} of {@code file}) holds.
     *
     * @throws WeightFileException for a malformed pickle or one using anything beyond what torch.save writes
     */
    static Object load(Path file, String entry, byte[] pickle) throws WeightFileException {
        return new SafeUnpickler(file, entry, pickle).run();
    }

    private Object run() throws WeightFileException {
        while (true) {
            opcodeStart = in.position();
            if (!in.hasRemaining()) {
                throw fail("the pickle ends without a STOP opcode");
            }
            int code = in.get() & 0xff;
            PickleOpcode opcode = PickleOpcode.of(code);
            if (opcode == null) {
                throw fail("byte 0x" + Integer.toHexString(code) + " is not a pickle opcode");
            }
            switch (opcode) {
                case PROTO -> {
                    int protocol = unsigned8();
                    if (protocol < 2 || protocol > 5) {
                        throw fail("pickle protocol " + protocol + "; torch.save writes 2 (at most 5 is read)");
                    }
                }
                case FRAME -> length(unsigned64(), "frame");   // only a hint for buffering readers
                case STOP -> {
                    Object result = pop();
                    if (in.hasRemaining()) {
                        throw fail(in.remaining() + " bytes follow the STOP opcode");
                    }
                    return result;
                }
                case MARK -> marks.add(stack.size());
                case EMPTY_DICT -> push(new LinkedHashMap<>());
                case EMPTY_LIST -> push(new ArrayList<>());
                case EMPTY_TUPLE -> push(new Tuple(List.of()));
                case TUPLE -> push(tuple(popMark()));
                case TUPLE1 -> push(tuple(popItems(1)));
                case TUPLE2 -> push(tuple(popItems(2)));
                case TUPLE3 -> push(tuple(popItems(3)));
                case LIST -> {
                    List<Object> items = popMark();
                    List<Object> list = new ArrayList<>();
                    append(list, items);
                    push(list);
                }
                case APPEND -> {
                    List<Object> item = popItems(1);
                    append(peek(), item);
                }
                case APPENDS -> {
                    List<Object> items = popMark();
                    append(peek(), items);
                }
                case DICT -> {
                    List<Object> items = popMark();
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    setItems(dict, items);
                    push(dict);
                }
                case SETITEM -> {
                    List<Object> keyAndValue = popItems(2);
                    setItems(peek(), keyAndValue);
                }
                case SETITEMS -> {
                    List<Object> items = popMark();
                    setItems(peek(), items);
                }
                case BINPUT -> memo.put((long) unsigned8(), peek());
                case LONG_BINPUT -> memo.put(unsigned32(), peek());
                case MEMOIZE -> memo.put((long) memo.size(), peek());
                case BINGET -> push(memoGet(unsigned8()));
                case LONG_BINGET -> push(memoGet(unsigned32()));
                case BININT -> push((long) bytes(4).getInt());
                case BININT1 -> push((long) unsigned8());
                case BININT2 -> push((long) (bytes(2).getShort() & 0xffff));
                case LONG1 -> push(long1());
                case BINFLOAT -> push(bytes(8).order(ByteOrder.BIG_ENDIAN).getDouble());
                case SHORT_BINUNICODE, SHORT_BINSTRING -> push(text(unsigned8()));
                case BINUNICODE -> push(text(unsigned32()));
                case BINUNICODE8 -> push(text(unsigned64()));
                case BINSTRING -> push(text(unsigned32()));   // signed in Python, where a negative one is refused
                case SHORT_BINBYTES -> push(byteArray(unsigned8()));
                case BINBYTES -> push(byteArray(unsigned32()));
                case BINBYTES8 -> push(byteArray(unsigned64()));
                case NONE -> push(PyNone.NONE);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case GLOBAL -> {
                    String module = line();
                    push(new Global(module, line()));
                }
                case STACK_GLOBAL -> {
                    List<Object> moduleAndName = popItems(2);
                    if (!(moduleAndName.get(0) instanceof String module)
                            || !(moduleAndName.get(1) instanceof String name)) {
                        throw fail("STACK_GLOBAL on " + describe(moduleAndName.get(0)) + " and "
                                + describe(moduleAndName.get(1)) + "; expected two strings");
                    }
                    push(new Global(module, name));
                }
                case REDUCE -> {
                    List<Object> callableAndArguments = popItems(2);
                    push(reduce(callableAndArguments.get(0), callableAndArguments.get(1)));
                }
                case NEWOBJ -> {
                    List<Object> classAndArguments = popItems(2);
                    push(newObject(classAndArguments.get(0), classAndArguments.get(1)));
                }
                case BUILD -> {
                    Object state = pop();
                    build(peek(), state);
                }
                case BINPERSID -> push(storage(pop()));
                default -> throw fail("pickle opcode " + opcode + " is not one torch.save writes");
            }
        }
    }

    // ---- the stack ----

    private void push(Object value) {
        stack.add(value);
    }

    /** The stack's top; like Python's unpickler, what lies below the open MARK cannot be reached. */
    private Object peek() throws WeightFileException {
        if (stack.size() <= currentMark()) {
            throw fail("the stack is empty" + (marks.isEmpty() ? "" : " above the MARK"));
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() throws WeightFileException {
        Object top = peek();
        stack.remove(stack.size() - 1);
        return top;
    }

    /** The top {@code count} values, deepest first. */
    private List<Object> popItems(int count) throws WeightFileException {
        if (stack.size() - currentMark() < count) {
            throw fail("needs " + count + " values on the stack, which holds " + (stack.size() - currentMark())
                    + (marks.isEmpty() ? "" : " above the MARK"));
        }
        List<Object> top = stack.subList(stack.size() - count, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    /** The values above the last MARK, deepest first; the MARK goes too. */
    private List<Object> popMark() throws WeightFileException {
        if (marks.isEmpty()) {
            throw fail("no MARK to collect values from");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private int currentMark() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private Object memoGet(long index) throws WeightFileException {
        Object value = memo.get(index);
        if (value == null) {
            throw fail("memo slot " + index + " was never stored");
        }
        return value;
    }

    // ---- containers ----

    /** Records that {@code container} holds {@code item}, refusing nesting deeper than {@link #MAX_DEPTH}. */
    private void contain(Object container, Object item) throws WeightFileException {
        int depth = depths.getOrDefault(item, 0) + 1;
        if (depth > MAX_DEPTH) {
            throw fail("values nest more than " + MAX_DEPTH + " levels deep");
        }
        depths.merge(container, depth, Math::max);
    }

    private Tuple tuple(List<Object> items) throws WeightFileException {
        Tuple tuple = new Tuple(List.copyOf(items));
        for (Object item : items) {
            contain(tuple, item);
        }
        return tuple;
    }

    private void append(Object target, List<Object> items) throws WeightFileException {
        if (!(target instanceof ArrayList<?>) && !(target instanceof Opaque)) {
            throw fail("APPEND to " + describe(target) + "; only lists are appended to");
        }
        for (Object item : items) {
            contain(target, item);
        }
        if (target instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            list.addAll(items);
        }
        // Items appended to an opaque object (a deque, say) are dropped: adding them would mean calling it.
    }

    private void setItems(Object target, List<Object> keysAndValues) throws WeightFileException {
        if (!(target instanceof LinkedHashMap<?, ?>) && !(target instanceof Opaque)) {
            throw fail("SETITEM on " + describe(target) + "; only dicts take items");
        }
        if (keysAndValues.size() % 2 != 0) {
            throw fail("SETITEMS on an odd number of values (" + keysAndValues.size() + ")");
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            Object key = keysAndValues.get(i);
            if (key instanceof ArrayList<?> || key instanceof LinkedHashMap<?, ?>) {
                // Python refuses these too (unhashable); their hashCode would walk the whole nested value.
                throw fail(describe(key) + " as a dict key");
            }
            contain(target, key);
            contain(target, keysAndValues.get(i + 1));
            if (target instanceof LinkedHashMap<?, ?>) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) target;
                dict.put(key, keysAndValues.get(i + 1));
            }
        }
    }

    // ---- objects: nothing is ever called ----

    private Object reduce(Object callable, Object arguments) throws WeightFileException {
        if (!(callable instanceof Global global)) {
            throw fail("REDUCE calls " + describe(callable) + "; only a GLOBAL is expected there");
        }
        if (!(arguments instanceof Tuple tuple)) {
            throw fail("REDUCE of " + global + " with " + describe(arguments) + "; expected a tuple of arguments");
        }
        return switch (global.toString()) {
            case "collections.OrderedDict" -> orderedDict(tuple);
            case "torch._utils._rebuild_tensor_v2" -> rebuildTensor(tuple);
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (tuple.items.isEmpty() || !(tuple.items.get(0) instanceof TorchTensor tensor)) {
                    throw fail(global + " of " + (tuple.items.isEmpty() ? "nothing" : describe(tuple.items.get(0)))
                            + "; expected a tensor");
                }
                yield tensor;
            }
            default -> opaque(global, tuple);
        };
    }

    private Object newObject(Object type, Object arguments) throws WeightFileException {
        if (!(type instanceof Global global)) {
            throw fail("NEWOBJ of " + describe(type) + "; only a GLOBAL is expected there");
        }
        if (!(arguments instanceof Tuple tuple)) {
            throw fail("NEWOBJ of " + global + " with " + describe(arguments) + "; expected a tuple of arguments");
        }
        return global.toString().equals("collections.OrderedDict") ? orderedDict(tuple) : opaque(global, tuple);
    }

    private Map<Object, Object> orderedDict(Tuple arguments) throws WeightFileException {
        if (!arguments.items.isEmpty()) {
            throw fail("collections.OrderedDict with " + arguments.items.size()
                    + " arguments; torch.save gives it none and adds the items after");
        }
        return new LinkedHashMap<>();
    }

    private Opaque opaque(Global type, Tuple arguments) throws WeightFileException {
        Opaque opaque = new Opaque(type);
        contain(opaque, arguments);
        return opaque;
    }

    /**
     * BUILD sets an object's state. A dict's state is its attributes (a state dict's {@code _metadata}) and an
     * opaque object's state is of no use to us: both are dropped after the depth check.
     */
    private void build(Object target, Object state) throws WeightFileException {
        if (!(target instanceof LinkedHashMap<?, ?>) && !(target instanceof Opaque)) {
            throw fail("BUILD on " + describe(target) + "; only objects and dicts are built");
        }
        contain(target, state);
    }

    // ---- torch storages and tensors ----

    /** A persistent id: {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    private TorchTensor.Storage storage(Object persistentId) throws WeightFileException {
        if (!(persistentId instanceof Tuple tuple) || tuple.items.size() != 5 || !"storage".equals(tuple.items.get(0))) {
            throw fail("persistent id " + describe(persistentId)
                    + "; expected ('storage', storage type, key, location, size)");
        }
        List<Object> items = tuple.items;
        if (!(items.get(1) instanceof Global type) || !type.module().equals("torch")) {
            throw fail("storage type " + describe(items.get(1)) + "; expected a torch.*Storage class");
        }
        TorchDtype dtype = TorchDtype.ofStorageClass(type.name())
                .orElseThrow(() -> fail("storage type " + type + " is not a storage class torch.save writes"));
        if (!(items.get(2) instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw fail("storage key " + describe(items.get(2)) + "; expected a short name of letters and digits");
        }
        if (!(items.get(3) instanceof String)) {
            throw fail("storage location " + describe(items.get(3)) + "; expected a device name");
        }
        if (!(items.get(4) instanceof Long numel) || numel < 0) {
            throw fail("storage '" + key + "' size " + describe(items.get(4))
                    + "; expected a non-negative element count");
        }
        if (numel > MAX_STORAGE_BYTES / dtype.byteSize) {
            throw fail("storage '" + key + "' holds " + numel + " elements of " + type + ", more than the "
                    + MAX_STORAGE_BYTES + " bytes a storage may have here");
        }
        TorchTensor.Storage storage = new TorchTensor.Storage(dtype, key, numel);
        TorchTensor.Storage previous = storages.putIfAbsent(key, storage);
        if (previous != null && !previous.equals(storage)) {
            throw fail("storage '" + key + "' is declared twice, as " + previous + " and " + storage);
        }
        return previous != null ? previous : storage;
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)}. */
    private TorchTensor rebuildTensor(Tuple arguments) throws WeightFileException {
        List<Object> items = arguments.items;
        if (items.size() < 4 || !(items.get(0) instanceof TorchTensor.Storage storage)) {
            throw fail("torch._utils._rebuild_tensor_v2 of " + items.size()
                    + " arguments; expected a storage, an offset, a size and a stride");
        }
        long offset = nonNegative(items.get(1), "tensor offset");
        long[] size = dimensions(items.get(2), "tensor size");
        long[] stride = dimensions(items.get(3), "tensor stride");
        if (size.length != stride.length) {
            throw fail("tensor size has " + size.length + " dimensions but its stride " + stride.length);
        }
        String view = "tensor of size " + Arrays.toString(size) + ", stride "
                + Arrays.toString(stride) + " and offset " + offset + " on storage '" + storage.key()
                + "' (" + storage.numel() + " elements)";
        try {
            long count = 1;
            long last = offset;
            for (int d = 0; d < size.length; d++) {
                count = Math.multiplyExact(count, size[d]);
                if (size[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
                }
            }
            if (count > MAX_ELEMENTS) {
                throw fail(view + " has " + count + " elements; at most " + MAX_ELEMENTS + " fit an array");
            }
            if (count > 0 ? last >= storage.numel() : offset > storage.numel()) {
                throw fail(view + " reaches past the end of its storage");
            }
        } catch (ArithmeticException e) {
            throw fail(view + " overflows a 64-bit element index");
        }
        return new TorchTensor(storage, offset, size, stride);
    }

    private long[] dimensions(Object value, String what) throws WeightFileException {
        if (!(value instanceof Tuple tuple)) {
            throw fail(what + " is " + describe(value) + "; expected a tuple of integers");
        }
        if (tuple.items.size() > MAX_RANK) {
            throw fail(what + " has " + tuple.items.size() + " dimensions; at most " + MAX_RANK + " are read");
        }
        long[] dimensions = new long[tuple.items.size()];
        for (int i = 0; i < dimensions.length; i++) {
            dimensions[i] = nonNegative(tuple.items.get(i), what);
        }
        return dimensions;
    }

    private long nonNegative(Object value, String what) throws WeightFileException {
        if (!(value instanceof Long number) || number < 0) {
            throw fail(what + " holds " + describe(value) + "; expected a non-negative integer");
        }
        return number;
    }

    // ---- reading the stream ----

    /** The next {@code count} bytes as a little-endian buffer. */
    private ByteBuffer bytes(int count) throws WeightFileException {
        if (count > in.remaining()) {
            throw fail("needs " + count + " bytes, but only " + in.remaining() + " remain");
        }
        ByteBuffer slice = in.slice(in.position(), count).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + count);
        return slice;
    }

    private int unsigned8() throws WeightFileException {
        return bytes(1).get() & 0xff;
    }

    private long unsigned32() throws WeightFileException {
        return bytes(4).getInt() & 0xffff_ffffL;
    }

    /** A u64; one above 2^63 comes back negative and fails every length check. */
    private long unsigned64() throws WeightFileException {
        return bytes(8).getLong();
    }

    /** A length read from the stream, which must not exceed what is left of it. */
    private int length(long length, String what) throws WeightFileException {
        if (length < 0 || length > in.remaining()) {
            throw fail(what + " length " + Long.toUnsignedString(length) + " runs past the end of the pickle ("
                    + in.remaining() + " bytes left)");
        }
        return (int) length;
    }

    /** LONG1: a little-endian two's-complement integer of up to 255 bytes. */
    private Object long1() throws WeightFileException {
        int count = unsigned8();
        byte[] littleEndian = new byte[count];
        bytes(count).get(littleEndian);
        if (count == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[count];
        for (int i = 0; i < count; i++) {
            bigEndian[i] = littleEndian[count - 1 - i];
        }
        BigInteger value = new BigInteger(bigEndian);
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    private String text(long length) throws WeightFileException {
        ByteBuffer utf8 = bytes(length(length, "string"));
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(utf8).toString();
        } catch (CharacterCodingException e) {
            throw fail("a string is not valid UTF-8");
        }
    }

    private byte[] byteArray(long length) throws WeightFileException {
        byte[] value = new byte[length(length, "bytes")];
        bytes(value.length).get(value);
        return value;
    }

    /** One newline-terminated line of a GLOBAL: a module or attribute name. */
    private String line() throws WeightFileException {
        int start = in.position();
        int limit = Math.min(in.limit(), start + MAX_GLOBAL_LINE_BYTES);
        for (int i = start; i < limit; i++) {
            if (in.get(i) == '\n') {
                String name = text(i - start);
                in.get();   // the newline
                return name;
            }
        }
        throw fail("GLOBAL name without a newline in its first " + MAX_GLOBAL_LINE_BYTES + " bytes");
    }

    // ---- messages ----

    private WeightFileException fail(String problem) {
        return new WeightFileException(file, entry + ": " + problem + " (pickle byte " + opcodeStart + ")");
    }

    /** A short description of a value for messages; never its contents, which a hostile file controls. */
    static String describe(Object value) {
        if (value instanceof String text) {
            return "the string '" + abbreviate(text) + "'";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "the int " + abbreviate(value.toString());
        }
        if (value instanceof Double number) {
            return "the float " + number;
        }
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        if (value instanceof PyNone) {
            return "None";
        }
        if (value instanceof byte[] bytes) {
            return "bytes of length " + bytes.length;
        }
        if (value instanceof List<?> list) {
            return "a list of " + list.size() + " items";
        }
        if (value instanceof Map<?, ?> dict) {
            return "a dict of " + dict.size() + " entries";
        }
        if (value instanceof Tuple tuple) {
            return "a tuple of " + tuple.items.size() + " items";
        }
        if (value instanceof Global global) {
            return "the global " + abbreviate(global.toString());
        }
        if (value instanceof Opaque opaque) {
            return "an object of type " + abbreviate(opaque.type.toString());
        }
        if (value instanceof TorchTensor tensor) {
            return "a " + tensor.storage().dtype() + " tensor";
        }
        if (value instanceof TorchTensor.Storage storage) {
            return "a " + storage.dtype() + " storage";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** Messages quote names from the file; a hostile one must not turn into a megabyte of text or a second line. */
    static String abbreviate(String text) {
        String shortened = text.length() <= 60 ? text : text.substring(0, 57) + "...";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
