package io.sparkvae.model.vqvae;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of a {@link VectorQuantizer}, in this order in the network's flat parameter vector: {@code codebook}
 * [K, D], then with EMA on {@code emaCount} [1, K] and {@code emaSum} [K, D]. The names have no underscore because
 * DL4J's updater finds a gradient's layer by cutting the key "layer_param" at its last underscore (M2.1
 * BaseMultiLayerUpdater.update), so "ema_count" would be looked up as parameter "count" of a layer "vq_ema".
 *
 * <p>The arrays are views of the flat vector in 'f' order, as DL4J's own initialisers make them, so that
 * {@code Layer.setParams} (which reads the flat vector in 'f' order) round-trips.
 *
 * <p>The codebook is drawn from the layer's weight init (fan-in D, fan-out K). The EMA counts never start at zero:
 * N_k = 1 and m_k = e_k, so the codebook m_k / N_k' is the initial one (the Laplace-smoothed N_k' of all-ones counts
 * is 1) and a code that is never chosen decays towards, but never reaches, an empty cluster.
 *
 * <p>Only the codebook, and only with EMA off, is a "weight" (regularised, updated by the layer's updater); see
 * {@link VectorQuantizer#getUpdaterByParam(String)}.
 */
public final class VectorQuantizerParamInitializer implements ParamInitializer {

    public static final String CODEBOOK = "codebook";
    public static final String EMA_COUNT = "emaCount";
    public static final String EMA_SUM = "emaSum";

    private static final VectorQuantizerParamInitializer INSTANCE = new VectorQuantizerParamInitializer();

    private VectorQuantizerParamInitializer() {
    }

    public static VectorQuantizerParamInitializer getInstance() {
        return INSTANCE;
    }

    private static VectorQuantizer vq(Layer layer) {
        if (!(layer instanceof VectorQuantizer)) {
            throw new IllegalArgumentException("not a VectorQuantizer: " + layer);
        }
        return (VectorQuantizer) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        VectorQuantizer v = vq(layer);
        long kd = (long) v.getNumCodes() * v.getCodeDim();
        return v.isEma() ? 2 * kd + v.getNumCodes() : kd;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        keys.add(CODEBOOK);
        if (vq(layer).isEma()) {
            keys.add(EMA_COUNT);
            keys.add(EMA_SUM);
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return vq(layer).isEma() ? Collections.emptyList() : Collections.singletonList(CODEBOOK);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return CODEBOOK.equals(key) && !vq(layer).isEma();
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        VectorQuantizer v = vq(conf.getLayer());
        Map<String, INDArray> params = views(v, paramsView);
        if (initializeParams) {
            INDArray codebook = params.get(CODEBOOK);
            long[] shape = codebook.shape();
            v.getWeightInitFn().init(v.getCodeDim(), v.getNumCodes(), shape, 'f', codebook);
            if (v.isEma()) {
                params.get(EMA_COUNT).assign(1.0);
                params.get(EMA_SUM).assign(codebook);
            }
        }
        for (String key : params.keySet()) {
            conf.addVariable(key);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(vq(conf.getLayer()), gradientView);
    }

    /** The parameter (or gradient) arrays as 'f'-order views of the layer's flat vector. */
    private Map<String, INDArray> views(VectorQuantizer v, INDArray flat) {
        long expected = numParams(v);
        if (flat.length() != expected) {
            throw new IllegalArgumentException("VectorQuantizer '" + v.getLayerName() + "': expected " + expected
                    + " parameters, got a view of length " + flat.length());
        }
        INDArray row = flat.reshape(1, flat.length());
        long k = v.getNumCodes();
        long kd = k * v.getCodeDim();
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(CODEBOOK, row.get(NDArrayIndex.all(), NDArrayIndex.interval(0, kd))
                .reshape('f', k, v.getCodeDim()));
        if (v.isEma()) {
            out.put(EMA_COUNT, row.get(NDArrayIndex.all(), NDArrayIndex.interval(kd, kd + k))
                    .reshape('f', 1, k));
            out.put(EMA_SUM, row.get(NDArrayIndex.all(), NDArrayIndex.interval(kd + k, 2 * kd + k))
                    .reshape('f', k, v.getCodeDim()));
        }
        return out;
    }
}
