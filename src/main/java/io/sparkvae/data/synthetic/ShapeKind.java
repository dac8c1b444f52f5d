package io.sparkvae.data.synthetic;

/** The kinds of filled shape the synthetic shapes dataset draws. */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE
}
