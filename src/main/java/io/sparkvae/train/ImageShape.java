package io.sparkvae.train;

import java.io.Serializable;

/** Height, width and channels of the images in a prepared dataset. */
public record ImageShape(int height, int width, int channels) implements Serializable {
  public int dimensions() {
    return height * width * channels;
  }
}
