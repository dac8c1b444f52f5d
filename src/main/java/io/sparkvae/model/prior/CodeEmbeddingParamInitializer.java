package io.sparkvae.model.prior;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameters of a {@link CodeEmbedding}: one table W [K, F] in C order, so that row c, the embedding of code c,
 * is contiguous for the gather and the scatter-add.
 *
 * <p>Initialised by the layer's weight init with fan-in K and fan-out F (the prior uses N(0, 1), which ignores
 * both), drawn as an [F, K] matrix and stored transposed: that is the layout of the 1×1 convolution weight
 * [F, K, 1, 1] that held the embedding when the prior took one-hot input, so a seed still gives the same initial
 * network, and the same training run, as it did then. (A draw laid out directly as [K, F] is an equally good
 * initialisation, but a different one: the prior's short training test then lands on another model.)
 */
public final class CodeEmbeddingParamInitializer implements ParamInitializer {

    /** The table's key, "W" like DL4J's weights, so that {@code getParam("W")} works as for the other layers. */
    public static final String WEIGHT_KEY = "W";

    private static final CodeEmbeddingParamInitializer INSTANCE = new CodeEmbeddingParamInitializer();

    private CodeEmbeddingParamInitializer() {
    }

    public static CodeEmbeddingParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        CodeEmbedding c = (CodeEmbedding) layer;
        return c.getNIn() * c.getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return Collections.singletonList(WEIGHT_KEY);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.singletonList(WEIGHT_KEY);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        CodeEmbedding c = (CodeEmbedding) conf.getLayer();
        long[] shape = {c.getNIn(), c.getNOut()};
        checkLength(paramsView, shape);
        INDArray flat = paramsView.reshape(paramsView.length());
        INDArray table = flat.reshape('c', shape);
        if (initializeParams) {
            // the weight init fills the flat view (DL4J's convention): fill it as [F, K], then store the transpose
            long[] drawn = {shape[1], shape[0]};
            INDArray draw = c.getWeightInitFn().init(c.getNIn(), c.getNOut(), drawn, 'c',
                    Nd4j.createUninitialized(flat.dataType(), flat.length()));
            table.assign(draw.reshape('c', drawn).transpose());
        }
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put(WEIGHT_KEY, table);
        conf.addVariable(WEIGHT_KEY);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        CodeEmbedding c = (CodeEmbedding) conf.getLayer();
        long[] shape = {c.getNIn(), c.getNOut()};
        checkLength(gradientView, shape);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        grads.put(WEIGHT_KEY, gradientView.reshape(gradientView.length()).reshape('c', shape));
        return grads;
    }

    private static void checkLength(INDArray view, long[] shape) {
        if (view.length() != shape[0] * shape[1]) {
            throw new IllegalStateException("CodeEmbedding: parameter view of length " + view.length()
                    + ", expected K x F = " + shape[0] + " x " + shape[1]);
        }
    }
}
