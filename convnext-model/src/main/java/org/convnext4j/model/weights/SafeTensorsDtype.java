package org.convnext4j.model.weights;

import java.util.Optional;

/** The safetensors element types we read, named as in the file, with their widths in bytes. */
enum SafeTensorsDtype {
    F16(2),
    BF16(2),
    F32(4),
    F64(8);

    final int byteSize;

    SafeTensorsDtype(int byteSize) {
        this.byteSize = byteSize;
    }

    static Optional<SafeTensorsDtype> byName(String name) {
        for (SafeTensorsDtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }

    /** IEEE 754 binary16 to float; exact, since every half value is a float value. */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: these are normal numbers in float, so scale rather than move bits.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 (half) to 127 (float).
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** bfloat16 is the top half of a float's bits. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
