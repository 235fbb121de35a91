package dev.vdisk.deb;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A binary package ({@code .deb}, deb(5)): an {@code ar} archive of {@code debian-binary}, {@code
 * control.tar[.gz|.xz|.zst]} and {@code data.tar[.gz|.xz|.zst|.bz2]}. The control members are read
 * into memory when opened (they are small and bounded); the data archive is streamed on each
 * {@link #forEachData} call.
 */
public final class DebArchive implements Closeable {
  private DebArchive() {}

  /** Receives the data archive's entries in archive order. */
  @FunctionalInterface
  public interface DataVisitor {
    /**
     * One entry.
     *
     * @param entry the entry
     * @param content the file's bytes (regular files; empty for other types), valid only during
     *     the call
     * @throws IOException to stop
     */
    void visit(DataEntry entry, InputStream content) throws IOException;
  }

  /**
   * Opens a package and reads its control archive.
   *
   * @param deb the file
   * @return the package
   * @throws dev.vdisk.core.CorruptStructureException if it is not a well-formed .deb (names the
   *     member and offset)
   * @throws IOException on an I/O error
   */
  public static DebArchive open(Path deb) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The {@code control} file.
   *
   * @return its paragraph
   */
  public ControlParagraph control() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The control archive's other members by name ({@code conffiles}, {@code md5sums}, {@code
   * preinst}, {@code postinst}, {@code prerm}, {@code postrm}, {@code config}, {@code templates},
   * {@code shlibs}, {@code symbols}, {@code triggers}, ...), raw bytes.
   *
   * @return the members (unmodifiable)
   */
  public Map<String, byte[]> controlMembers() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Streams the data archive.
   *
   * @param visitor receives each entry
   * @throws IOException on an I/O error or a malformed archive
   */
  public void forEachData(DataVisitor visitor) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() throws IOException {}
}
