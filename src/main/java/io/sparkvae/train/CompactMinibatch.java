package io.sparkvae.train;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A minibatch that travels and is cached in its compact form (the examples' bytes or code grids, and how to turn
 * them into arrays) and builds its arrays only when first asked for them.
 *
 * <p>Why: dl4j-spark's direct approach persists the epoch's {@code RDD<MultiDataSet>} and, for each averaging
 * round, scans the whole of it to pick that round's minibatches (balancedRandomSplit filters every partition). With
 * the arrays inside, every round deserialised every minibatch of the epoch (1.5 MB of floats each for a 32x32 VAE
 * batch of 64, the labels repeating the images) only to drop most of them. In compact form a scan reads ~200 KB of
 * bytes per minibatch and builds no arrays; only the minibatches a worker fits are turned into arrays, on the
 * worker's prefetch thread.
 *
 * <p>The arrays are built outside any workspace and are not serialised: cache these objects serialised (as
 * {@link ParameterAveraging} does), else a deserialised cache would keep the arrays of every minibatch it served.
 */
public final class CompactMinibatch<T extends Serializable> implements MultiDataSet {
  private static final long serialVersionUID = 1L;

  /** Builds the arrays of a minibatch from its examples; serialised with every minibatch, so keep it small. */
  public interface Maker<T> extends Serializable {
    MultiDataSet make(List<T> examples);
  }

  private final ArrayList<T> examples;
  private final Maker<T> maker;
  private transient MultiDataSet arrays;

  public CompactMinibatch(List<T> examples, Maker<T> maker) {
    this.examples = new ArrayList<>(examples);
    this.maker = maker;
  }

  /** Number of examples, without building the arrays. */
  public int size() {
    return examples.size();
  }

  /** The minibatch's arrays, built on first use. */
  public MultiDataSet arrays() {
    if (arrays == null) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        arrays = maker.make(examples);
      }
    }
    return arrays;
  }

  @Override
  public int numFeatureArrays() {
    return arrays().numFeatureArrays();
  }

  @Override
  public int numLabelsArrays() {
    return arrays().numLabelsArrays();
  }

  @Override
  public INDArray[] getFeatures() {
    return arrays().getFeatures();
  }

  @Override
  public INDArray getFeatures(int index) {
    return arrays().getFeatures(index);
  }

  @Override
  public void setFeatures(INDArray[] features) {
    arrays().setFeatures(features);
  }

  @Override
  public void setFeatures(int idx, INDArray features) {
    arrays().setFeatures(idx, features);
  }

  @Override
  public INDArray[] getLabels() {
    return arrays().getLabels();
  }

  @Override
  public INDArray getLabels(int index) {
    return arrays().getLabels(index);
  }

  @Override
  public void setLabels(INDArray[] labels) {
    arrays().setLabels(labels);
  }

  @Override
  public void setLabels(int idx, INDArray labels) {
    arrays().setLabels(idx, labels);
  }

  @Override
  public boolean hasMaskArrays() {
    return arrays().hasMaskArrays();
  }

  @Override
  public INDArray[] getFeaturesMaskArrays() {
    return arrays().getFeaturesMaskArrays();
  }

  @Override
  public INDArray getFeaturesMaskArray(int index) {
    return arrays().getFeaturesMaskArray(index);
  }

  @Override
  public void setFeaturesMaskArrays(INDArray[] maskArrays) {
    arrays().setFeaturesMaskArrays(maskArrays);
  }

  @Override
  public void setFeaturesMaskArray(int idx, INDArray maskArray) {
    arrays().setFeaturesMaskArray(idx, maskArray);
  }

  @Override
  public INDArray[] getLabelsMaskArrays() {
    return arrays().getLabelsMaskArrays();
  }

  @Override
  public INDArray getLabelsMaskArray(int index) {
    return arrays().getLabelsMaskArray(index);
  }

  @Override
  public void setLabelsMaskArray(INDArray[] labels) {
    arrays().setLabelsMaskArray(labels);
  }

  @Override
  public void setLabelsMaskArray(int idx, INDArray labelsMaskArray) {
    arrays().setLabelsMaskArray(idx, labelsMaskArray);
  }

  @Override
  public void save(OutputStream to) throws IOException {
    arrays().save(to);
  }

  @Override
  public void save(File to) throws IOException {
    arrays().save(to);
  }

  @Override
  public void load(InputStream from) throws IOException {
    throw new UnsupportedOperationException("a compact minibatch is built from its examples, not loaded");
  }

  @Override
  public void load(File from) throws IOException {
    throw new UnsupportedOperationException("a compact minibatch is built from its examples, not loaded");
  }

  @Override
  public List<MultiDataSet> asList() {
    return arrays().asList();
  }

  @Override
  public MultiDataSet copy() {
    return arrays().copy();
  }

  @Override
  public void setExampleMetaData(List<? extends Serializable> exampleMetaData) {
    arrays().setExampleMetaData(exampleMetaData);
  }

  @Override
  public <M extends Serializable> List<M> getExampleMetaData(Class<M> metaDataType) {
    return arrays().getExampleMetaData(metaDataType);
  }

  @Override
  public List<Serializable> getExampleMetaData() {
    return arrays().getExampleMetaData();
  }

  @Override
  public long getMemoryFootprint() {
    return arrays().getMemoryFootprint();
  }

  @Override
  public void migrate() {
    arrays().migrate();
  }

  @Override
  public void detach() {
    arrays().detach();
  }

  @Override
  public boolean isEmpty() {
    return examples.isEmpty();
  }

  @Override
  public void shuffle() {
    arrays().shuffle();
  }
}
