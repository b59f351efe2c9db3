package org.convnext4j.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ConvNeXt layers computed with plain loops in double precision, from the parameter arrays in
 * our layouts: a reference that shares no code (and no ND4J op) with the SameDiff layers.
 * Activations are NHWC double[n][h][w][c].
 */
final class PlainReference {

    private PlainReference() {
    }

    static double[][][][] toNhwc(INDArray nhwc) {
        int n = (int) nhwc.size(0), h = (int) nhwc.size(1), w = (int) nhwc.size(2), c = (int) nhwc.size(3);
        double[][][][] out = new double[n][h][w][c];
        for (int i = 0; i < n; i++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) {
            out[i][y][x][k] = nhwc.getDouble(i, y, x, k);
        }
        return out;
    }

    static INDArray fromNhwc(double[][][][] a) {
        INDArray out = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, a.length, a[0].length, a[0][0].length, a[0][0][0].length);
        for (int i = 0; i < a.length; i++) for (int y = 0; y < a[0].length; y++) for (int x = 0; x < a[0][0].length; x++)
            for (int k = 0; k < a[0][0][0].length; k++) {
                out.putScalar(new long[] {i, y, x, k}, a[i][y][x][k]);
            }
        return out;
    }

    /** Convolution with kernel = stride = patch, no padding; weights (kH, kW, in, out). */
    static double[][][][] patchConv(double[][][][] in, INDArray w, INDArray b, int patch) {
        int n = in.length, h = in[0].length / patch, wd = in[0][0].length / patch, cin = in[0][0][0].length;
        int cout = (int) w.size(3);
        double[][][][] out = new double[n][h][wd][cout];
        for (int i = 0; i < n; i++) for (int y = 0; y < h; y++) for (int x = 0; x < wd; x++) for (int o = 0; o < cout; o++) {
            double s = b.getDouble(o);
            for (int ky = 0; ky < patch; ky++) for (int kx = 0; kx < patch; kx++) for (int c = 0; c < cin; c++) {
                s += in[i][y * patch + ky][x * patch + kx][c] * w.getDouble(ky, kx, c, o);
            }
            out[i][y][x][o] = s;
        }
        return out;
    }

    static double[] layerNorm(double[] v, INDArray weight, INDArray bias) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double var = 0;
        for (double x : v) var += (x - mean) * (x - mean);
        var /= v.length;
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = (v[k] - mean) / Math.sqrt(var + 1e-6) * weight.getDouble(k) + bias.getDouble(k);
        }
        return out;
    }

    static double[][][][] layerNorm(double[][][][] in, INDArray weight, INDArray bias) {
        double[][][][] out = new double[in.length][in[0].length][in[0][0].length][];
        for (int i = 0; i < in.length; i++) for (int y = 0; y < in[0].length; y++) for (int x = 0; x < in[0][0].length; x++) {
            out[i][y][x] = layerNorm(in[i][y][x], weight, bias);
        }
        return out;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf by its Maclaurin series (|x| small) or continued fraction: accurate to ~1e-14 for our inputs. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double result;
        if (ax < 3) {
            double sum = 0, term = ax;
            for (int k = 0; k < 200; k++) {
                sum += term / (2 * k + 1);
                term *= -ax * ax / (k + 1);
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 60; k >= 1; k--) {
                f = k / 2.0 / (ax + f);
            }
            result = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return Math.signum(x) * result;
    }

    /** The residual branch of a block (no residual add). */
    static double[][][][] blockBranch(double[][][][] in, java.util.Map<String, INDArray> p, boolean layerScale) {
        int n = in.length, h = in[0].length, w = in[0][0].length, c = in[0][0][0].length;
        INDArray dwW = p.get(ConvNeXtBlock.DW_WEIGHT), dwB = p.get(ConvNeXtBlock.DW_BIAS);
        double[][][][] out = new double[n][h][w][c];
        for (int i = 0; i < n; i++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            double[] v = new double[c];
            for (int k = 0; k < c; k++) {
                double s = dwB.getDouble(k);
                for (int ky = 0; ky < 7; ky++) for (int kx = 0; kx < 7; kx++) {
                    int yy = y + ky - 3, xx = x + kx - 3;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                        s += in[i][yy][xx][k] * dwW.getDouble(ky, kx, k, 0);
                    }
                }
                v[k] = s;
            }
            v = layerNorm(v, p.get(ConvNeXtBlock.NORM_WEIGHT), p.get(ConvNeXtBlock.NORM_BIAS));
            double[] hidden = linear(v, p.get(ConvNeXtBlock.FC1_WEIGHT), p.get(ConvNeXtBlock.FC1_BIAS));
            for (int k = 0; k < hidden.length; k++) hidden[k] = gelu(hidden[k]);
            double[] o = linear(hidden, p.get(ConvNeXtBlock.FC2_WEIGHT), p.get(ConvNeXtBlock.FC2_BIAS));
            for (int k = 0; k < c; k++) {
                out[i][y][x][k] = layerScale ? o[k] * p.get(ConvNeXtBlock.GAMMA).getDouble(k) : o[k];
            }
        }
        return out;
    }

    /** Linear with weights (in, out). */
    static double[] linear(double[] v, INDArray w, INDArray b) {
        int out = (int) w.size(1);
        double[] r = new double[out];
        for (int o = 0; o < out; o++) {
            double s = b.getDouble(o);
            for (int k = 0; k < v.length; k++) s += v[k] * w.getDouble(k, o);
            r[o] = s;
        }
        return r;
    }

    static double[][] head(double[][][][] in, java.util.Map<String, INDArray> p) {
        int n = in.length, h = in[0].length, w = in[0][0].length, c = in[0][0][0].length;
        double[][] logits = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] pooled = new double[c];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) pooled[k] += in[i][y][x][k] / (h * w);
            logits[i] = linear(layerNorm(pooled, p.get(ConvNeXtHead.NORM_WEIGHT), p.get(ConvNeXtHead.NORM_BIAS)),
                    p.get(ConvNeXtHead.FC_WEIGHT), p.get(ConvNeXtHead.FC_BIAS));
        }
        return logits;
    }
}
