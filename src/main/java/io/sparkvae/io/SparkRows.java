package io.sparkvae.io;

import java.util.List;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/** Converts Java values to what Spark's row encoder expects (array columns must be Scala Seqs). */
public final class SparkRows {
  private SparkRows() {}

  public static <T> Seq<T> seq(List<T> values) {
    return JavaConverters.asScalaBuffer(values).toSeq();
  }
}
