package dev.vdisk.vhd.internal;

import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the parent paths a differencing disk records, in the order vdisk tries them: relative
 * Windows paths first (W2ru, then the deprecated Wi2r), which survive moving a whole chain to
 * another directory, then absolute ones (W2ku, Wi2k), then Mac OS X file URLs (MacX), and last the
 * dynamic disk header's Parent Unicode Name. Locators whose data lies outside the file or is
 * longer than {@link ParentLocatorEntry#MAX_DATA_LENGTH} are skipped.
 */
public final class ParentLocatorPaths {
  private static final Logger LOG = LoggerFactory.getLogger(ParentLocatorPaths.class);
  private static final int[] ORDER = {
    ParentLocatorEntry.W2RU, ParentLocatorEntry.WI2R, ParentLocatorEntry.W2KU,
    ParentLocatorEntry.WI2K, ParentLocatorEntry.MACX
  };

  private ParentLocatorPaths() {}

  /**
   * Reads the parent paths.
   *
   * @param file the differencing disk, for logs
   * @param channel its channel
   * @param fileSize its size
   * @param header its dynamic disk header
   * @return the paths in order of preference, possibly empty
   * @throws IOException on an I/O error
   */
  public static List<String> read(Path file, FileChannel channel, long fileSize,
      DynamicDiskHeader header) throws IOException {
    List<String> paths = new ArrayList<>();
    for (int code : ORDER) {
      for (ParentLocatorEntry entry : header.parentLocators()) {
        if (entry.platformCode() != code) {
          continue;
        }
        Optional<byte[]> data = data(file, channel, fileSize, entry);
        if (data.isPresent()) {
          entry.decode(data.get()).filter(p -> !paths.contains(p)).ifPresent(paths::add);
        }
      }
    }
    String name = header.parentUnicodeName();
    if (!name.isBlank() && !paths.contains(name)) {
      paths.add(name);
    }
    return paths;
  }

  /**
   * Reads a locator's data if it lies inside the file.
   *
   * @param file the disk, for logs
   * @param channel its channel
   * @param fileSize its size
   * @param entry the locator
   * @return the data, or empty if the entry's length or offset is unusable
   * @throws IOException on an I/O error
   */
  public static Optional<byte[]> data(Path file, FileChannel channel, long fileSize,
      ParentLocatorEntry entry) throws IOException {
    int length = entry.platformDataLength();
    long offset = entry.platformDataOffset();
    if (length <= 0 || length > ParentLocatorEntry.MAX_DATA_LENGTH || offset < 0
        || offset > fileSize - length) {
      LOG.debug("{}: ignoring {} parent locator with data length {} at offset {}", file,
          entry.platformCodeText(), Integer.toUnsignedString(length), offset);
      return Optional.empty();
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    ChannelIo.readFully(channel, file, offset, buffer, "parent locator data");
    return Optional.of(buffer.array());
  }
}
