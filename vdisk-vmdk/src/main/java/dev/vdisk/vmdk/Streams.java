package dev.vdisk.vmdk;

import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import dev.vdisk.vmdk.internal.esx.CowdExtent;
import dev.vdisk.vmdk.internal.esx.SeSparseExtent;
import dev.vdisk.vmdk.internal.stream.StreamOptimizedExtent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Opens the extent types whose readers live in the stream and ESXi packages. They are read-only:
 * a disk holding one refuses writes to it with {@link dev.vdisk.core.UnsafeToWriteException}.
 */
final class Streams {
  private Streams() {}

  static Extent open(Path file, FileChannel channel, SparseExtentHeader header) throws IOException {
    return StreamOptimizedExtent.open(file, channel, header);
  }

  static Extent openCowd(Path file, FileChannel channel) throws IOException {
    return CowdExtent.open(file, channel);
  }

  static Extent openSeSparse(Path file, FileChannel channel) throws IOException {
    return SeSparseExtent.open(file, channel);
  }
}
