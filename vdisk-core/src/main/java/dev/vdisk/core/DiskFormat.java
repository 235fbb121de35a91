package dev.vdisk.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A disk image format: the service-provider interface that image modules implement.
 *
 * <p>Implementations are registered in {@code META-INF/services/dev.vdisk.core.DiskFormat} and
 * found with {@link java.util.ServiceLoader}. They must have a public no-argument constructor and be
 * stateless.
 */
public interface DiskFormat {

  /** Probe score of a format that is certain: a signature and a checksum matched. */
  int CERTAIN = 100;

  /** Probe score of a format that matched a signature only. */
  int LIKELY = 50;

  /** Probe score of the fallback raw format, which accepts anything. */
  int FALLBACK = 1;

  /** Probe score meaning "not this format". */
  int NO = 0;

  /**
   * The format's short name, lower case: {@code raw}, {@code vhd}, {@code vhdx}, {@code vmdk}.
   *
   * @return the name
   */
  String name();

  /**
   * Decides from content whether {@code file} is in this format. Implementations read only the few
   * structures they need, never the whole file, and never throw for foreign content.
   *
   * @param file the file's path, for messages and for formats that look at companion files
   * @param channel an open read-only channel on the file; its position is irrelevant
   * @return a score from {@link #NO} to {@link #CERTAIN}
   * @throws IOException only on an I/O error reading the file
   */
  int probe(Path file, FileChannel channel) throws IOException;

  /**
   * Opens an image of this format.
   *
   * @param file the image
   * @param options read-only or read-write, and so on
   * @return the opened disk
   * @throws CorruptStructureException if a structure is corrupt
   * @throws UnsupportedFeatureException if the image uses a feature this format does not implement
   * @throws UnsafeToWriteException if writing was asked for and is unsafe
   * @throws IOException on an I/O error
   */
  VirtualDisk open(Path file, OpenOptions options) throws IOException;

  /**
   * Creates a new, empty image.
   *
   * @param file where to create it; must not exist
   * @param spec size and variant
   * @return the new image, opened for writing
   * @throws IOException if it cannot be created
   */
  default VirtualDisk create(Path file, CreateSpec spec) throws IOException {
    throw new UnsupportedFeatureException(file, name() + " image creation", "not implemented");
  }

  /**
   * Creates a differencing child of {@code parent} that initially reads exactly as the parent.
   *
   * @param parent the parent image
   * @param file where to create the child; must not exist
   * @return the child, opened for writing
   * @throws IOException if it cannot be created
   */
  default VirtualDisk createChild(VirtualDisk parent, Path file) throws IOException {
    throw new UnsupportedFeatureException(file, name() + " differencing disks", "not implemented");
  }

  /**
   * Deletes an image of this format and every file that holds its own data (a VMDK descriptor
   * and its extent files, say), but never its parents. Files already missing are skipped.
   * Used to drop a differencing disk and to clean up after a failed conversion.
   *
   * @param file the image (for multi-file formats, the descriptor)
   * @throws IOException if a file cannot be deleted
   */
  default void delete(Path file) throws IOException {
    java.nio.file.Files.deleteIfExists(file);
  }

  /**
   * Checks the structure of an image without changing it, like {@code qemu-img check}: bad
   * checksums, blocks that overlap or point past the end, bitmaps that disagree with tables, logs
   * awaiting replay. It should report as much as it can find rather than stop at the first
   * problem, and must not fail on corrupt content (only on I/O errors).
   *
   * <p>The default opens the image read-only and reports a corruption if that fails.
   *
   * @param file the image
   * @return the findings
   * @throws IOException on an I/O error
   */
  default CheckReport check(Path file) throws IOException {
    CheckReport.Builder report = new CheckReport.Builder(file, name(), 1000);
    try (VirtualDisk disk = open(file, OpenOptions.readOnly())) {
      disk.size();
    } catch (CorruptStructureException e) {
      report.add(CheckReport.Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
    }
    return report.build();
  }
}
