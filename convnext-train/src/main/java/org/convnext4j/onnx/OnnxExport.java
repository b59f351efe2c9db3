package org.convnext4j.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.WeightNaming;
import org.convnext4j.onnx.proto.Onnx.AttributeProto;
import org.convnext4j.onnx.proto.Onnx.GraphProto;
import org.convnext4j.onnx.proto.Onnx.ModelProto;
import org.convnext4j.onnx.proto.Onnx.NodeProto;
import org.convnext4j.onnx.proto.Onnx.OperatorSetIdProto;
import org.convnext4j.onnx.proto.Onnx.StringStringEntryProto;
import org.convnext4j.onnx.proto.Onnx.TensorProto;
import org.convnext4j.onnx.proto.Onnx.TensorShapeProto;
import org.convnext4j.onnx.proto.Onnx.TypeProto;
import org.convnext4j.onnx.proto.Onnx.ValueInfoProto;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.google.protobuf.ByteString;

/**
 * A ConvNeXt as an ONNX model (opset 17, float32, dynamic batch): NCHW images in ({@value #INPUT}),
 * logits out ({@value #OUTPUT}), the official ConvNeXt's computation op for op — the residual stream
 * channels-first, each block's LayerNorm and MLP channels-last, GELU as the exact erf form.
 * The weights are the official state dict's ({@link WeightNaming#OFFICIAL}), so the initialisers
 * carry the names a PyTorch user knows; the model's metadata_props hold its {@link OnnxMetadata}.
 */
public final class OnnxExport {

    public static final String INPUT = "images";
    public static final String OUTPUT = "logits";
    /** LayerNormalization is an ONNX op from opset 17; GELU only from 20, so it is spelled out with Erf. */
    static final int OPSET = 17;
    /** The IR version of opset 17. */
    private static final long IR_VERSION = 8;
    private static final String BATCH = "batch";
    private static final float LAYER_NORM_EPS = 1e-6f;
    private static final float GRN_EPS = 1e-6f;
    private static final long[] TO_CHANNELS_LAST = {0, 2, 3, 1};
    private static final long[] TO_CHANNELS_FIRST = {0, 3, 1, 2};

    private final Map<String, INDArray> weights;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private int names;

    private OnnxExport(Map<String, INDArray> weights) {
        this.weights = weights;
    }

    /** Writes the model atomically: an earlier file under {@code file} stays whole until the new one is. */
    public static void write(Path file, ComputationGraph graph, ModelInfo info) throws IOException {
        ModelProto model = model(graph, info);
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                model.writeTo(out);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The network as an ONNX model. */
    public static ModelProto model(ComputationGraph graph, ModelInfo info) {
        ConvNeXtConfig config = info.config();
        OnnxExport export = new OnnxExport(ConvNeXtWeights.export(graph, config, WeightNaming.OFFICIAL));
        String x = export.conv(INPUT, "downsample_layers.0.0.", 4, 1, 0);                     // stem: 4×4, stride 4
        x = export.layerNormChannelsFirst(x, "downsample_layers.0.1.");
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            if (stage > 0) {
                x = export.layerNormChannelsFirst(x, "downsample_layers." + stage + ".0.");
                x = export.conv(x, "downsample_layers." + stage + ".1.", 2, 1, 0);            // 2×2, stride 2
            }
            for (int block = 0; block < config.depths().get(stage); block++) {
                x = export.block(x, "stages." + stage + "." + block + ".", config.dims().get(stage), config.hasLayerScale(),
                        config.grn());
            }
        }
        String pooled = export.node("ReduceMean", List.of(x), ints("axes", 2, 3), integer("keepdims", 0));  // (N, C, H, W) -> (N, C)
        String normed = export.layerNorm(pooled, "norm.");
        export.nodes.add(NodeProto.newBuilder().setOpType("Gemm").addInput(normed).addInput(export.weight("head.weight"))
                .addInput(export.weight("head.bias")).addOutput(OUTPUT).addAttribute(integer("transB", 1)).build());

        int size = info.imageSize();
        GraphProto onnxGraph = GraphProto.newBuilder().setName(info.variant())
                .addAllNode(export.nodes).addAllInitializer(export.initializers)
                .addInput(valueInfo(INPUT, dim(BATCH), dim(3), dim(size), dim(size)))
                .addOutput(valueInfo(OUTPUT, dim(BATCH), dim(config.numClasses())))
                .build();
        ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("convnext4j")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(onnxGraph);
        // what predict needs besides the graph (class names, input size, crop, normalisation), readable by any ONNX tool
        OnnxMetadata.of(info).properties().forEach((key, value) ->
                model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build();
    }

    /**
     * A block, as the official {@code Block.forward}: 7×7 depthwise convolution, then channels-last
     * LayerNorm, Linear, GELU, (V2: GRN,) Linear, layer scale, back to channels-first, plus the input.
     */
    private String block(String x, String prefix, int dim, boolean layerScale, boolean grn) {
        String conv = conv(x, prefix + "dwconv.", 1, dim, 3);
        String channelsLast = node("Transpose", List.of(conv), ints("perm", TO_CHANNELS_LAST));
        String normed = layerNorm(channelsLast, prefix + "norm.");
        String hidden = linear(normed, prefix + "pwconv1.");
        String activated = gelu(hidden);
        if (grn) {
            activated = globalResponseNorm(activated, prefix + "grn.");
        }
        String out = linear(activated, prefix + "pwconv2.");
        if (layerScale) {
            out = node("Mul", List.of(out, weight(prefix + "gamma")));
        }
        String channelsFirst = node("Transpose", List.of(out), ints("perm", TO_CHANNELS_FIRST));
        return node("Add", List.of(x, channelsFirst));
    }

    /** x · Wᵀ + b over the last axis, with the transposed weight stored (MatMul has no transpose flag). */
    private String linear(String x, String prefix) {
        String product = node("MatMul", List.of(x, initializer(prefix + "weight.T", weights.get(prefix + "weight").transpose())));
        return node("Add", List.of(product, weight(prefix + "bias")));
    }

    /**
     * ConvNeXt V2's GRN of a channels-last (N, H, W, C) x, as the official {@code GRN.forward}: G the L2 norm over
     * H and W, N = G / (mean of G over C + 1e-6), γ·(x·N) + β + x with the (1, 1, 1, C) γ and β.
     */
    private String globalResponseNorm(String x, String prefix) {
        String norms = node("ReduceL2", List.of(x), ints("axes", 1, 2), integer("keepdims", 1));
        String mean = node("ReduceMean", List.of(norms), ints("axes", 3), integer("keepdims", 1));
        String normalised = node("Div", List.of(norms, node("Add", List.of(mean, scalar("grn_eps", GRN_EPS)))));
        String scaled = node("Mul", List.of(weight(prefix + "gamma"), node("Mul", List.of(x, normalised))));
        return node("Add", List.of(node("Add", List.of(scaled, weight(prefix + "beta"))), x));
    }

    /** The exact GELU, 0.5·x·(1 + erf(x/√2)). */
    private String gelu(String x) {
        String erf = node("Erf", List.of(node("Div", List.of(x, scalar("sqrt2", (float) Math.sqrt(2.0))))));
        String onePlus = node("Add", List.of(erf, scalar("one", 1f)));
        return node("Mul", List.of(node("Mul", List.of(x, onePlus)), scalar("half", 0.5f)));
    }

    private String conv(String x, String prefix, int stride, int group, int pad) {
        INDArray kernel = weights.get(prefix + "weight");
        return node("Conv", List.of(x, weight(prefix + "weight"), weight(prefix + "bias")),
                ints("kernel_shape", kernel.size(2), kernel.size(3)), ints("strides", stride, stride),
                ints("pads", pad, pad, pad, pad), integer("group", group));
    }

    /** LayerNorm over the last axis, eps 1e-6. */
    private String layerNorm(String x, String prefix) {
        return node("LayerNormalization", List.of(x, weight(prefix + "weight"), weight(prefix + "bias")),
                integer("axis", -1), AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                        .setF(LAYER_NORM_EPS).build());
    }

    /** LayerNorm over the channels of an NCHW tensor, as the official {@code LayerNorm(data_format="channels_first")}. */
    private String layerNormChannelsFirst(String x, String prefix) {
        String channelsLast = node("Transpose", List.of(x), ints("perm", TO_CHANNELS_LAST));
        return node("Transpose", List.of(layerNorm(channelsLast, prefix)), ints("perm", TO_CHANNELS_FIRST));
    }

    private String node(String op, List<String> inputs, AttributeProto... attributes) {
        String output = op.toLowerCase() + "_" + names++;
        nodes.add(NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)).build());
        return output;
    }

    /** The state dict's tensor of this name, as an initialiser of the same name. */
    private String weight(String name) {
        INDArray tensor = weights.get(name);
        if (tensor == null) {
            throw new IllegalStateException("the exported state dict has no tensor " + name);
        }
        return initializer(name, tensor);
    }

    private String scalar(String name, float value) {
        if (initializers.stream().noneMatch(t -> t.getName().equals(name))) {
            initializers.add(tensor(name, new long[0], new float[] {value}));
        }
        return name;
    }

    private String initializer(String name, INDArray values) {
        initializers.add(tensor(name, values.shape(), values.castTo(DataType.FLOAT).dup('c').reshape(values.length()).toFloatVector()));
        return name;
    }

    private static TensorProto tensor(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long size : shape) {
            tensor.addDims(size);
        }
        return tensor.build();
    }

    private static ValueInfoProto valueInfo(String name, TensorShapeProto.Dimension... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (TensorShapeProto.Dimension d : dims) {
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static TensorShapeProto.Dimension dim(long size) {
        return TensorShapeProto.Dimension.newBuilder().setDimValue(size).build();
    }

    private static TensorShapeProto.Dimension dim(String name) {
        return TensorShapeProto.Dimension.newBuilder().setDimParam(name).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
