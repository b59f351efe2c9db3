package org.convnext4j.model.weights;

/**
 * Every opcode of pickle protocols 0 to 5, named as in Python's {@code pickletools}, so that a refused one can be
 * named. {@link SafeUnpickler} implements only those {@code torch.save} writes.
 */
enum PickleOpcode {
    INT(0x49),
    BININT(0x4a),
    BININT1(0x4b),
    BININT2(0x4d),
    LONG(0x4c),
    LONG1(0x8a),
    LONG4(0x8b),
    STRING(0x53),
    BINSTRING(0x54),
    SHORT_BINSTRING(0x55),
    BINBYTES(0x42),
    SHORT_BINBYTES(0x43),
    BINBYTES8(0x8e),
    BYTEARRAY8(0x96),
    NEXT_BUFFER(0x97),
    READONLY_BUFFER(0x98),
    NONE(0x4e),
    NEWTRUE(0x88),
    NEWFALSE(0x89),
    UNICODE(0x56),
    SHORT_BINUNICODE(0x8c),
    BINUNICODE(0x58),
    BINUNICODE8(0x8d),
    FLOAT(0x46),
    BINFLOAT(0x47),
    EMPTY_LIST(0x5d),
    APPEND(0x61),
    APPENDS(0x65),
    LIST(0x6c),
    EMPTY_TUPLE(0x29),
    TUPLE(0x74),
    TUPLE1(0x85),
    TUPLE2(0x86),
    TUPLE3(0x87),
    EMPTY_DICT(0x7d),
    DICT(0x64),
    SETITEM(0x73),
    SETITEMS(0x75),
    EMPTY_SET(0x8f),
    ADDITEMS(0x90),
    FROZENSET(0x91),
    POP(0x30),
    DUP(0x32),
    MARK(0x28),
    POP_MARK(0x31),
    GET(0x67),
    BINGET(0x68),
    LONG_BINGET(0x6a),
    PUT(0x70),
    BINPUT(0x71),
    LONG_BINPUT(0x72),
    MEMOIZE(0x94),
    EXT1(0x82),
    EXT2(0x83),
    EXT4(0x84),
    GLOBAL(0x63),
    STACK_GLOBAL(0x93),
    REDUCE(0x52),
    BUILD(0x62),
    INST(0x69),
    OBJ(0x6f),
    NEWOBJ(0x81),
    NEWOBJ_EX(0x92),
    PROTO(0x80),
    STOP(0x2e),
    FRAME(0x95),
    PERSID(0x50),
    BINPERSID(0x51);

    private static final PickleOpcode[] BY_CODE = new PickleOpcode[256];

    static {
        for (PickleOpcode opcode : values()) {
            BY_CODE[opcode.code] = opcode;
        }
    }

    final int code;

    PickleOpcode(int code) {
        this.code = code;
    }

    /** The opcode of byte {@code code} (0 to 255), or null if no pickle protocol defines one. */
    static PickleOpcode of(int code) {
        return BY_CODE[code];
    }

    @Override
    public String toString() {
        return name() + " (0x" + Integer.toHexString(code) + ")";
    }
}
