package dev.vdisk.vhd.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One of the eight 24-byte "Parent Locator Entries" of a dynamic disk header. It points to data
 * elsewhere in the file that names the parent of a differencing disk.
 *
 * <pre>
 *   0  Platform Code            4
 *   4  Platform Data Space      4
 *   8  Platform Data Length     4
 *  12  Reserved                 4
 *  16  Platform Data Offset     8
 * </pre>
 *
 * <p>The specification says Platform Data Space counts 512-byte sectors, but Windows writes a
 * byte count there (for example 4096 or 65536); readers must not rely on it. vdisk reads
 * Platform Data Length bytes and writes a byte count (a multiple of 512) like Windows.
 *
 * @param platformCode the platform code ({@link #W2KU}, {@link #W2RU}, ...), 0 for an unused entry
 * @param platformDataSpace the space reserved for the data (bytes or sectors, see above)
 * @param platformDataLength the length of the locator data in bytes
 * @param reserved the reserved field
 * @param platformDataOffset the absolute file offset of the locator data
 */
public record ParentLocatorEntry(
    int platformCode,
    int platformDataSpace,
    int platformDataLength,
    int reserved,
    long platformDataOffset) {

  /** The size of one entry in bytes. */
  public static final int SIZE = 24;
  /** No locator. */
  public static final int NONE = 0;
  /** Deprecated Windows relative path (ANSI). */
  public static final int WI2R = 0x57693272;
  /** Deprecated Windows absolute path (ANSI). */
  public static final int WI2K = 0x5769326B;
  /** Windows relative path, UTF-16 little-endian. */
  public static final int W2RU = 0x57327275;
  /** Windows absolute path, UTF-16 little-endian. */
  public static final int W2KU = 0x57326B75;
  /** Mac OS alias stored as a blob (not decodable here). */
  public static final int MAC = 0x4D616320;
  /** Mac OS X file URL, UTF-8. */
  public static final int MACX = 0x4D616358;
  /** The longest locator data vdisk reads, in bytes. */
  public static final int MAX_DATA_LENGTH = 64 * 1024;

  /**
   * An unused entry.
   *
   * @return the entry
   */
  public static ParentLocatorEntry empty() {
    return new ParentLocatorEntry(NONE, 0, 0, 0, 0);
  }

  /**
   * Parses an entry. Nothing in an entry can be checked without the file, so this never fails.
   *
   * @param buffer {@link #SIZE} bytes from its position; the position is not moved
   * @return the entry
   */
  public static ParentLocatorEntry parse(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int p = b.position();
    return new ParentLocatorEntry(
        b.getInt(p), b.getInt(p + 4), b.getInt(p + 8), b.getInt(p + 12), b.getLong(p + 16));
  }

  /**
   * Writes the entry.
   *
   * @param buffer at least {@link #SIZE} bytes remaining; the position advances by {@link #SIZE}
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer b = buffer.order(ByteOrder.BIG_ENDIAN);
    b.putInt(platformCode).putInt(platformDataSpace).putInt(platformDataLength).putInt(reserved)
        .putLong(platformDataOffset);
  }

  /**
   * Whether the entry is in use.
   *
   * @return {@code true} if the platform code is not 0
   */
  public boolean isUsed() {
    return platformCode != NONE;
  }

  /**
   * The platform code as text.
   *
   * @return for example {@code "W2ku"}
   */
  public String platformCodeText() {
    return HardDiskFooter.fourCc(platformCode);
  }

  /**
   * Decodes locator data as a path, according to the platform code: UTF-16LE for W2ku and W2ru,
   * a UTF-8 file URL for MacX, ISO-8859-1 for the deprecated Wi2k and Wi2r. Mac aliases and
   * unknown codes give an empty result. A trailing NUL and anything after it are dropped.
   *
   * @param data the locator data, {@link #platformDataLength()} bytes
   * @return the path text, if the code is understood and the text is not empty
   */
  public Optional<String> decode(byte[] data) {
    String text;
    switch (platformCode) {
      case W2KU, W2RU -> text = new String(data, 0, data.length & ~1, StandardCharsets.UTF_16LE);
      case WI2K, WI2R -> text = new String(data, StandardCharsets.ISO_8859_1);
      case MACX -> text = fileUrlToPath(new String(data, StandardCharsets.UTF_8));
      default -> {
        return Optional.empty();
      }
    }
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      text = text.substring(0, nul);
    }
    return text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  private static String fileUrlToPath(String url) {
    String trimmed = url.replace("\0", "").trim();
    if (!trimmed.startsWith("file://")) {
      return trimmed;
    }
    try {
      String path = new URI(trimmed).getPath();
      return path == null ? "" : path;
    } catch (URISyntaxException e) {
      String rest = trimmed.substring("file://".length());
      return rest.startsWith("localhost/") ? rest.substring("localhost".length()) : rest;
    }
  }
}
