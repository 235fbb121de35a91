package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Interix (Services for Unix) special files ntfs-3g creates for symlinks, devices, FIFOs and
 * sockets when it is not asked for reparse-point symlinks: a file with the SYSTEM attribute whose
 * unnamed {@code $DATA} is
 * <ul>
 *   <li>empty: a FIFO, and one byte: a socket (both only without the HIDDEN attribute);
 *   <li>{@code IntxLNK\1} and the target in UTF-16LE: a symbolic link (up to 4096 characters);
 *   <li>{@code IntxCHR\0} or {@code IntxBLK\0} and the major and minor numbers as 64-bit
 *       little-endian values (24 bytes in all): a character or block device.
 * </ul>
 * Any other file (no SYSTEM attribute, another size or magic) is a regular file, as ntfs-3g
 * shows it.
 *
 * @param type what the file is
 * @param target a symlink's target, else empty
 * @param major a device's major number as stored (64 bits), else 0; an ntfs-3g mount shows only
 *     its low 12 bits (FUSE passes a 32-bit device number)
 * @param minor a device's minor number as stored (64 bits), else 0; an ntfs-3g mount shows only
 *     its low 20 bits
 */
public record InterixFile(Type type, String target, long major, long minor) {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "Interix file";

  /** File attribute: hidden. */
  public static final int FILE_ATTRIBUTE_HIDDEN = 0x0002;
  /** File attribute: system. */
  public static final int FILE_ATTRIBUTE_SYSTEM = 0x0004;

  /** The size of the magic. */
  public static final int MAGIC_SIZE = 8;
  /** The size of a device file. */
  public static final int DEVICE_SIZE = 24;
  /** The longest symlink target ntfs-3g reads, in UTF-16 units. */
  public static final int MAX_TARGET_CHARS = 4096;

  /** What an Interix file is. */
  public enum Type {
    /** Not a special file. */
    REGULAR,
    /** A FIFO. */
    FIFO,
    /** A socket. */
    SOCKET,
    /** A symbolic link. */
    SYMLINK,
    /** A character device. */
    CHARACTER_DEVICE,
    /** A block device. */
    BLOCK_DEVICE
  }

  private static final byte[] LNK = magic("IntxLNK\1");
  private static final byte[] CHR = magic("IntxCHR\0");
  private static final byte[] BLK = magic("IntxBLK\0");

  private static byte[] magic(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * {@return whether a file with these attributes and this data size may be an Interix special
   * file (and its data needs to be read for {@link #parse})}
   *
   * @param fileAttributes the $STANDARD_INFORMATION file attributes
   * @param dataSize the unnamed $DATA size
   */
  public static boolean isCandidate(int fileAttributes, long dataSize) {
    return (fileAttributes & FILE_ATTRIBUTE_SYSTEM) != 0 && dataSize >= 0
        && dataSize <= MAGIC_SIZE + 2L * MAX_TARGET_CHARS;
  }

  /**
   * Decides what a file is from its attributes and unnamed {@code $DATA}, as ntfs-3g does.
   *
   * @param fileAttributes the $STANDARD_INFORMATION file attributes
   * @param data the whole unnamed {@code $DATA}, position to limit (at most {@code 8 + 2 * 4096}
   *     bytes matter; pass at least that much when the stream is larger, or an empty buffer if
   *     {@link #isCandidate} is false)
   * @param dataSize the size of the unnamed $DATA
   * @param source the device or file, for error messages
   * @param offset byte offset of the data on {@code source}, for error messages
   * @return the file's type
   * @throws CorruptStructureException if {@code data} is shorter than {@code dataSize} where the
   *     bytes matter (an odd last byte of a symlink target is ignored, as ntfs-3g does)
   */
  public static InterixFile parse(int fileAttributes, ByteBuffer data, long dataSize,
      String source, long offset) throws CorruptStructureException {
    if (!isCandidate(fileAttributes, dataSize) || dataSize < 0) {
      return regular();
    }
    boolean hidden = (fileAttributes & FILE_ATTRIBUTE_HIDDEN) != 0;
    if (dataSize == 0 && !hidden) {
      return new InterixFile(Type.FIFO, "", 0, 0);
    }
    if (dataSize == 1 && !hidden) {
      return new InterixFile(Type.SOCKET, "", 0, 0);
    }
    if (dataSize <= MAGIC_SIZE) {
      return regular();
    }
    ByteBuffer b = Bytes.le(data.slice());
    Bytes.require(b, 0, (int) dataSize, source, offset, STRUCTURE);
    byte[] magic = new byte[MAGIC_SIZE];
    b.get(0, magic);
    if (dataSize == DEVICE_SIZE && (java.util.Arrays.equals(magic, CHR)
        || java.util.Arrays.equals(magic, BLK))) {
      Type t = java.util.Arrays.equals(magic, CHR) ? Type.CHARACTER_DEVICE : Type.BLOCK_DEVICE;
      return new InterixFile(t, "", b.getLong(8), b.getLong(16));
    }
    if (java.util.Arrays.equals(magic, LNK)) {
      int bytes = (int) dataSize - MAGIC_SIZE;
      byte[] target = new byte[bytes & ~1];
      b.get(MAGIC_SIZE, target);
      return new InterixFile(Type.SYMLINK, new String(target, StandardCharsets.UTF_16LE), 0, 0);
    }
    return regular();
  }

  private static InterixFile regular() {
    return new InterixFile(Type.REGULAR, "", 0, 0);
  }

  /**
   * {@return the symlink target as ntfs-3g shows it: the UTF-16 target up to its first NUL}
   */
  public String displayTarget() {
    int nul = target.indexOf('\0');
    return nul < 0 ? target : target.substring(0, nul);
  }
}
