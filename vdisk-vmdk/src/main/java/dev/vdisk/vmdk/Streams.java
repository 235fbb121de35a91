package dev.vdisk.vmdk;

import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Opens the extent types whose readers live in the stream and ESXi packages. */
final class Streams {
  private Streams() {}

  static Extent open(Path file, FileChannel channel, SparseExtentHeader header, boolean writable)
      throws IOException {
    throw new UnsupportedFeatureException(file, "streamOptimized VMDK", "not wired yet");
  }

  static Extent openCowd(Path file, FileChannel channel, boolean writable) throws IOException {
    throw new UnsupportedFeatureException(file, "VMFSSPARSE (COWD) extent", "not wired yet");
  }

  static Extent openSeSparse(Path file, FileChannel channel, boolean writable)
      throws IOException {
    throw new UnsupportedFeatureException(file, "SESPARSE extent", "not wired yet");
  }
}
