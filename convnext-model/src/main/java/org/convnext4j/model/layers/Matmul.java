package org.convnext4j.model.layers;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/** c = alpha · op(a) · op(b), written into an existing array (a parameter-gradient view or a working array). */
final class Matmul {

    private Matmul() {
    }

    static void into(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0, MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
    }
}
