package io.sparkvae.model.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Test helper switching ND4J's default data types to DOUBLE for gradient checks, and back. */
public final class DoublePrecision implements AutoCloseable {

    private final DataType oldType = Nd4j.dataType();
    private final DataType oldFloat = Nd4j.defaultFloatingPointType();

    /** Switches to DOUBLE until {@link #close()}. */
    public DoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void close() {
        Nd4j.setDefaultDataTypes(oldType, oldFloat);
    }
}
