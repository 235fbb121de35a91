package dev.vdisk.vhd.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a VHD file's hard disk footer: in the last 512 bytes, in the last 511 bytes (images from
 * old Virtual PC versions), or, when the trailing footer is damaged, the copy at offset 0 that
 * dynamic and differencing disks keep. A footer whose checksum matches wins over one whose checksum
 * does not.
 */
public final class FooterSearch {

  /**
   * A footer found in the file.
   *
   * @param footer the footer
   * @param offset where it was found
   * @param trailing whether it is the trailing footer (not the copy at offset 0)
   */
  public record Found(HardDiskFooter footer, long offset, boolean trailing) {}

  private FooterSearch() {}

  /**
   * Finds the footer.
   *
   * @param file the image, for errors
   * @param channel its channel
   * @param fileSize its size
   * @return the best footer found
   * @throws CorruptStructureException if there is none
   * @throws IOException on an I/O error
   */
  public static Found find(Path file, FileChannel channel, long fileSize) throws IOException {
    if (fileSize < HardDiskFooter.SIZE - 1) {
      throw new CorruptStructureException(file, 0, "hard disk footer",
          "the file has only " + fileSize + " bytes, too few for a VHD footer");
    }
    List<Found> found = new ArrayList<>();
    CorruptStructureException firstError = null;
    long[] offsets = fileSize >= HardDiskFooter.SIZE
        ? new long[] {fileSize - 512, fileSize - 511, 0}
        : new long[] {fileSize - 511};
    for (long offset : offsets) {
      ByteBuffer buffer = ByteBuffer.allocate(HardDiskFooter.SIZE);
      buffer.limit((int) Math.min(HardDiskFooter.SIZE, fileSize - offset));
      ChannelIo.readFully(channel, file, offset, buffer, "hard disk footer");
      buffer.clear();
      if (!HardDiskFooter.hasCookie(buffer)) {
        continue;
      }
      try {
        HardDiskFooter footer = HardDiskFooter.parse(buffer, file, offset);
        boolean trailing = offset != 0 || fileSize <= 512;
        if (!trailing && !footer.isSparse()) {
          continue; // a fixed disk's first sector is data, not a footer copy
        }
        found.add(new Found(footer, offset, trailing));
      } catch (CorruptStructureException e) {
        if (firstError == null) {
          firstError = e;
        }
      }
    }
    for (Found f : found) {
      if (f.footer().checksumValid()) {
        return f;
      }
    }
    if (!found.isEmpty()) {
      return found.get(0);
    }
    if (firstError != null) {
      throw firstError;
    }
    throw new CorruptStructureException(file, fileSize - HardDiskFooter.SIZE, "hard disk footer",
        "no 'conectix' cookie at the end of the file or at offset 0: not a VHD image");
  }
}
