package org.convnext4j.model.weights;

import java.util.Optional;

/**
 * The element types of PyTorch storages, each named by the legacy storage class that {@code torch.save} pickles
 * ({@code torch.FloatStorage}, ...), with its width in bytes. Only the floating-point ones become weights.
 */
enum TorchDtype {
    HALF("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    FLOAT("FloatStorage", 4, true),
    DOUBLE("DoubleStorage", 8, true),
    LONG("LongStorage", 8, false),
    INT("IntStorage", 4, false),
    SHORT("ShortStorage", 2, false),
    CHAR("CharStorage", 1, false),
    BYTE("ByteStorage", 1, false),
    BOOL("BoolStorage", 1, false),
    COMPLEX_FLOAT("ComplexFloatStorage", 8, false),
    COMPLEX_DOUBLE("ComplexDoubleStorage", 16, false),
    QUINT8("QUInt8Storage", 1, false),
    QINT8("QInt8Storage", 1, false),
    QINT32("QInt32Storage", 4, false),
    QUINT4X2("QUInt4x2Storage", 1, false),
    QUINT2X4("QUInt2x4Storage", 1, false);

    final String storageClass;
    final int byteSize;
    final boolean isFloat;

    TorchDtype(String storageClass, int byteSize, boolean isFloat) {
        this.storageClass = storageClass;
        this.byteSize = byteSize;
        this.isFloat = isFloat;
    }

    /** The type whose storage class is {@code torch.<name>}. */
    static Optional<TorchDtype> ofStorageClass(String name) {
        for (TorchDtype dtype : values()) {
            if (dtype.storageClass.equals(name)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }
}
