package dev.vdisk.core.raw;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The raw format: the file (or block device node) is the disk, byte for byte. It accepts any
 * content, so it is chosen only when no other format recognises the file.
 */
public final class RawDiskFormat implements DiskFormat {

  /** Creates the format; used by {@link java.util.ServiceLoader}. */
  public RawDiskFormat() {}

  @Override
  public String name() {
    return "raw";
  }

  @Override
  public int probe(Path file, FileChannel channel) {
    return FALLBACK;
  }

  @Override
  public VirtualDisk open(Path file, OpenOptions options) throws IOException {
    return RawDisk.open(file, options.writable(), this);
  }

  /**
   * Creates a sparse raw file of the given size. The only variant is {@code "file"}.
   *
   * @param file where to create it; must not exist
   * @param spec the size
   * @return the new disk, opened for writing
   * @throws IOException if it cannot be created
   */
  @Override
  public VirtualDisk create(Path file, CreateSpec spec) throws IOException {
    if (spec.variant() != null && !spec.variant().equals("file")) {
      throw new UnsupportedFeatureException(file, "raw variant " + spec.variant(), "only 'file'");
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      if (spec.virtualSize() > 0) {
        // Extending by truncate is not possible; writing the last byte leaves a hole before it.
        channel.write(java.nio.ByteBuffer.allocate(1), spec.virtualSize() - 1);
      }
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return RawDisk.open(file, true, this);
  }
}
