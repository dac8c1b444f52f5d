package io.sparkvae.config;

import java.io.Serializable;

/** How CelebA's aligned JPEGs become prepared images: centre crop, area resize, decode tasks. */
public record CelebaConfig(int cropSize, int imageSize, int partitions) implements Serializable {
  static CelebaConfig from(ConfigReader r) {
    int crop = r.integer("crop-size", 1, 178);
    int size = r.integer("image-size", 1, 178);
    if (size > crop) {
      r.problem("data.celeba.image-size: " + size + " must not exceed data.celeba.crop-size (" + crop
          + "): images are only ever scaled down");
    }
    return new CelebaConfig(crop, size, r.integer("partitions", 0, 100_000));
  }
}
