package dev.vdisk.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens disk images of any registered {@link DiskFormat}, detecting the format from the file's
 * content (never from its name).
 *
 * <pre>{@code
 * try (VirtualDisk disk = VirtualDisks.open(Path.of("disk.vhdx"))) {
 *   PartitionTable table = PartitionTable.read(disk);
 * }
 * }</pre>
 */
public final class VirtualDisks {
  private static final Logger LOG = LoggerFactory.getLogger(VirtualDisks.class);

  private VirtualDisks() {}

  /**
   * Opens an image read-only.
   *
   * @param file the image
   * @return the opened disk
   * @throws IOException if it cannot be opened; a {@link VdiskException} for bad content
   */
  public static VirtualDisk open(Path file) throws IOException {
    return open(file, OpenOptions.readOnly());
  }

  /**
   * Opens an image.
   *
   * @param file the image
   * @param options read-only or read-write, and an optional forced format
   * @return the opened disk
   * @throws IOException if it cannot be opened; a {@link VdiskException} for bad content
   */
  public static VirtualDisk open(Path file, OpenOptions options) throws IOException {
    DiskFormat format =
        options.format() != null ? byName(options.format()).orElseThrow(
            () -> new UnknownFormatException(file, "no format named '" + options.format() + "'"))
            : detect(file);
    LOG.debug("opening {} as {} ({})", file, format.name(), options);
    VirtualDisk disk = format.open(file, options);
    Path record = dev.vdisk.core.tx.Transaction.record(file);
    if (dev.vdisk.core.tx.RedoLogDevice.pending(record)) {
      if (disk.isWritable()) {
        try {
          // a transaction's commit was interrupted: finish it (or drop an incomplete record)
          dev.vdisk.core.tx.Transaction.recover(disk, record);
        } catch (IOException | RuntimeException e) {
          try {
            disk.close();
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
      } else {
        LOG.warn("{}: an interrupted commit left {}; open the image for writing to finish it",
            file, record);
      }
    }
    return disk;
  }

  /**
   * Finds the format of {@code file} by asking every registered format to probe it.
   *
   * @param file the image
   * @return the format with the highest probe score
   * @throws NoSuchFileException if the file does not exist
   * @throws UnknownFormatException if no format accepts it
   * @throws IOException on an I/O error
   */
  public static DiskFormat detect(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    if (Files.isDirectory(file)) {
      throw new UnknownFormatException(file, "is a directory, not a disk image");
    }
    DiskFormat best = null;
    int bestScore = DiskFormat.NO;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      for (DiskFormat format : formats()) {
        int score = format.probe(file, channel);
        LOG.trace("probe {} as {}: {}", file, format.name(), score);
        if (score > bestScore) {
          best = format;
          bestScore = score;
        }
      }
    }
    if (best == null) {
      throw new UnknownFormatException(file, "no registered format recognises it");
    }
    return best;
  }

  /**
   * Every registered format, ordered by name.
   *
   * @return the formats
   */
  public static List<DiskFormat> formats() {
    List<DiskFormat> list = new ArrayList<>();
    ServiceLoader.load(DiskFormat.class, VirtualDisks.class.getClassLoader()).forEach(list::add);
    list.sort(Comparator.comparing(DiskFormat::name));
    return list;
  }

  /**
   * The registered format of that name.
   *
   * @param name the format's name, case-insensitive
   * @return the format, if registered
   */
  public static Optional<DiskFormat> byName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return formats().stream().filter(f -> f.name().equals(wanted)).findFirst();
  }
}
