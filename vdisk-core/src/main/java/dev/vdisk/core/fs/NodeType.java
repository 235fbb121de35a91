package dev.vdisk.core.fs;

/** The kind of a file-system node, as a POSIX {@code stat} reports it. */
public enum NodeType {
  /** A regular file. */
  REGULAR_FILE,
  /** A directory. */
  DIRECTORY,
  /** A symbolic link. */
  SYMBOLIC_LINK,
  /** A character device node. */
  CHARACTER_DEVICE,
  /** A block device node. */
  BLOCK_DEVICE,
  /** A named pipe. */
  FIFO,
  /** A UNIX-domain socket. */
  SOCKET,
  /** Anything else (an unknown type code). */
  OTHER;

  /**
   * The type bits of a POSIX mode ({@code S_IFMT}) for this type, 0 for {@link #OTHER}.
   *
   * @return the {@code S_IFxxx} value
   */
  public int modeBits() {
    switch (this) {
      case REGULAR_FILE: return 0100000;
      case DIRECTORY: return 0040000;
      case SYMBOLIC_LINK: return 0120000;
      case CHARACTER_DEVICE: return 0020000;
      case BLOCK_DEVICE: return 0060000;
      case FIFO: return 0010000;
      case SOCKET: return 0140000;
      default: return 0;
    }
  }

  /**
   * The type that a POSIX mode's {@code S_IFMT} bits name.
   *
   * @param mode a mode such as {@code 0100644}
   * @return the type, {@link #OTHER} for an unknown code
   */
  public static NodeType fromMode(int mode) {
    switch (mode & 0170000) {
      case 0100000: return REGULAR_FILE;
      case 0040000: return DIRECTORY;
      case 0120000: return SYMBOLIC_LINK;
      case 0020000: return CHARACTER_DEVICE;
      case 0060000: return BLOCK_DEVICE;
      case 0010000: return FIFO;
      case 0140000: return SOCKET;
      default: return OTHER;
    }
  }
}
