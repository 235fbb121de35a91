package dev.vdisk.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared plumbing of the Jazzer fuzz tests ({@code *FuzzTest}): a temporary folder per test
 * class, the input written to a file there for the duration of one run, and the generic probes of
 * an opened disk or extent (reads at its start, middle and end; a walk over its allocation runs)
 * that tolerate only the format's typed errors.
 */
public final class FuzzFiles {
  private FuzzFiles() {}

  /** Work on the file holding one fuzz input. */
  @FunctionalInterface
  public interface FileAction {
    /**
     * Runs it.
     *
     * @param file the file
     * @throws IOException on an I/O error
     */
    void run(Path file) throws IOException;
  }

  /** One allocation-run step: the end of the run that starts at {@code offset}. */
  @FunctionalInterface
  public interface RunEnd {
    /**
     * Looks the run up (and checks it).
     *
     * @param offset where the run starts
     * @return where it ends
     * @throws IOException on an I/O or format error
     */
    long end(long offset) throws IOException;
  }

  /**
   * A new temporary folder, deleted when the JVM exits (if empty by then).
   *
   * @param prefix its name's start
   * @return the folder
   */
  public static Path directory(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the input to {@code file}, runs the action on it, and deletes the file.
   *
   * @param file the file
   * @param input the fuzz input
   * @param action what to do with it
   * @throws IOException on an I/O error the action does not catch
   */
  public static void withFile(Path file, byte[] input, FileAction action) throws IOException {
    Files.write(file, input);
    try {
      action.run(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Reads {@code chunk} bytes (fewer on a small device) at the start, at the end and around the
   * middle; each read must fill its buffer unless it throws a {@code tolerated} exception.
   *
   * @param size the device's size (positive)
   * @param chunk the most to read at once
   * @param device reads the device
   * @param tolerated the typed error a damaged structure may raise
   * @throws IOException on any other I/O error
   */
  public static void readProbes(long size, int chunk, Digests.RangeReader device,
      Class<? extends Exception> tolerated) throws IOException {
    int piece = (int) Math.min(size, chunk);
    for (long offset : new long[] {0, size - piece, size / 2 - Math.min(size / 2, 700)}) {
      try {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(piece, size - offset));
        device.read(offset, buffer);
        if (buffer.hasRemaining()) {
          throw new AssertionError("short read at " + offset + ": " + buffer);
        }
      } catch (IOException e) {
        if (!tolerated.isInstance(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Walks at most 64 allocation runs from offset 0 until {@code size}; each must end after it
   * starts. Stops at the first {@code tolerated} exception.
   *
   * @param size the device's size
   * @param runs returns (and checks) the end of the run at an offset
   * @param tolerated the typed error a damaged structure may raise
   * @throws IOException on any other I/O error
   */
  public static void walkRuns(long size, RunEnd runs, Class<? extends Exception> tolerated)
      throws IOException {
    long offset = 0;
    for (int i = 0; i < 64 && offset < size; i++) {
      long end;
      try {
        end = runs.end(offset);
      } catch (IOException e) {
        if (!tolerated.isInstance(e)) {
          throw e;
        }
        break;
      }
      if (end <= offset) {
        throw new AssertionError("empty run at " + offset + " (ends at " + end + ")");
      }
      offset = end;
    }
  }

  /**
   * Applies a fuzz input read as a list of patches (offset u32 little-endian, taken modulo the
   * image size; length u8; that many bytes) to a copy of {@code base}: lets a fuzzer damage a
   * small real image anywhere with short inputs.
   *
   * @param base the intact image (not changed)
   * @param patches the fuzz input, from its position; a short last patch is cut
   * @return the patched copy
   */
  public static byte[] patched(byte[] base, java.nio.ByteBuffer patches) {
    byte[] image = base.clone();
    java.nio.ByteBuffer in = patches.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 5) {
      int offset = (int) Long.remainderUnsigned(in.getInt() & 0xffffffffL, image.length);
      int length = Math.min(in.get() & 0xff, in.remaining());
      for (int i = 0; i < length; i++) {
        byte v = in.get();
        if (offset + i < image.length) {
          image[offset + i] = v;
        }
      }
    }
    return image;
  }
}
