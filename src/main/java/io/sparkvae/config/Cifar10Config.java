package io.sparkvae.config;

import java.io.Serializable;

/** How CIFAR-10's five training batches are split into train and val. */
public record Cifar10Config(int valCount, long seed) implements Serializable {
  static Cifar10Config from(ConfigReader r) {
    return new Cifar10Config(r.integer("val-count", 0, 49_999), r.longValue("seed"));
  }
}
