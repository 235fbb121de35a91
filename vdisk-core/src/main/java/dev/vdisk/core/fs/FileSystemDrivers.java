package dev.vdisk.core.fs;

import dev.vdisk.core.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the registered {@link FileSystemDriver} for a device.
 *
 * <pre>{@code
 * Map<Integer, String> types = new TreeMap<>();
 * for (Partition p : PartitionTable.read(disk).partitions()) {
 *   FileSystemDrivers.identify(p).ifPresent(id -> types.put(p.index(), id.type()));
 * }
 * }</pre>
 */
public final class FileSystemDrivers {
  private static final Logger LOG = LoggerFactory.getLogger(FileSystemDrivers.class);

  private FileSystemDrivers() {}

  /**
   * Every registered driver, ordered by name.
   *
   * @return the drivers
   */
  public static List<FileSystemDriver> drivers() {
    List<FileSystemDriver> list = new ArrayList<>();
    ServiceLoader.load(FileSystemDriver.class, FileSystemDrivers.class.getClassLoader())
        .forEach(list::add);
    list.sort(Comparator.comparing(FileSystemDriver::name));
    return list;
  }

  /**
   * The registered driver of that name.
   *
   * @param name the driver's name, case-insensitive
   * @return the driver
   */
  public static Optional<FileSystemDriver> byName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return drivers().stream().filter(d -> d.name().equals(wanted)).findFirst();
  }

  /**
   * The driver with the highest probe score for the device.
   *
   * @param device a partition or whole disk
   * @return the driver, or empty when none recognises the device
   * @throws IOException on an I/O error
   */
  public static Optional<FileSystemDriver> probe(BlockDevice device) throws IOException {
    FileSystemDriver best = null;
    int bestScore = FileSystemDriver.NO;
    for (FileSystemDriver driver : drivers()) {
      int score = driver.probe(device);
      LOG.trace("probe {} as {}: {}", device.description(), driver.name(), score);
      if (score > bestScore) {
        best = driver;
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The type, label and UUID of the file system on the device, without mounting it.
   *
   * @param device a partition or whole disk
   * @return the identity, or empty when no driver recognises the device
   * @throws IOException on an I/O error
   */
  public static Optional<FileSystemIdentity> identify(BlockDevice device) throws IOException {
    Optional<FileSystemDriver> driver = probe(device);
    if (driver.isEmpty()) {
      return Optional.empty();
    }
    return driver.get().identify(device);
  }
}
