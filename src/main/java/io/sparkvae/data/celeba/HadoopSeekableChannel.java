package io.sparkvae.data.celeba;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A read-only {@link SeekableByteChannel} over a Hadoop file, so that a zip on HDFS or S3 can be read with
 * random access (central directory, then single entries) instead of being streamed or copied.
 */
final class HadoopSeekableChannel implements SeekableByteChannel {
  private final FSDataInputStream in;
  private final long size;
  private final byte[] buffer = new byte[1 << 16];
  private long position;
  private boolean open = true;

  HadoopSeekableChannel(FileSystem fs, Path path) throws IOException {
    this.in = fs.open(path, 1 << 16);
    this.size = fs.getFileStatus(path).getLen();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (position >= size) {
      return -1;
    }
    int want = (int) Math.min(Math.min(dst.remaining(), buffer.length), size - position);
    int n = in.read(position, buffer, 0, want);
    if (n > 0) {
      dst.put(buffer, 0, n);
      position += n;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    open = false;
    in.close();
  }
}
