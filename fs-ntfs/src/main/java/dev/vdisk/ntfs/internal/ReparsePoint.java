package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The value of a {@code $REPARSE_POINT} attribute (type 0xC0): a 32-bit tag, the length of the
 * tag's data and the data. Symbolic links, mount points (junctions), WOF-compressed files,
 * deduplicated files and the WSL (LX) special files are decoded; any other tag keeps its data
 * as bytes.
 *
 * @param tag the reparse tag
 * @param data the tag's data (a read-only view; for third-party tags with the Microsoft bit
 *     clear, the 16-byte GUID comes first)
 * @param content the decoded data
 */
public record ReparsePoint(int tag, ByteBuffer data, Content content) {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "reparse point";

  /** The most bytes of reparse data a reparse point may hold. */
  public static final int MAX_DATA = 16 * 1024;

  /** Tag bit: a Microsoft tag (third-party tags carry a GUID after the header). */
  public static final int MICROSOFT_BIT = 0x80000000;
  /** Tag bit: the file is a name surrogate (it stands for another file). */
  public static final int NAME_SURROGATE_BIT = 0x20000000;
  /** Tag bit: a directory with this tag may have children. */
  public static final int DIRECTORY_BIT = 0x10000000;

  /** Mount point (junction): {@code \??\C:\dir} or a volume GUID path. */
  public static final int IO_REPARSE_TAG_MOUNT_POINT = 0xA0000003;
  /** Symbolic link. */
  public static final int IO_REPARSE_TAG_SYMLINK = 0xA000000C;
  /** Data deduplication. */
  public static final int IO_REPARSE_TAG_DEDUP = 0x80000013;
  /** Windows Overlay Filter (system compression, WIMBoot). */
  public static final int IO_REPARSE_TAG_WOF = 0x80000017;
  /** WSL symbolic link. */
  public static final int IO_REPARSE_TAG_LX_SYMLINK = 0xA000001D;
  /** WSL / Windows AF_UNIX socket. */
  public static final int IO_REPARSE_TAG_AF_UNIX = 0x80000023;
  /** WSL FIFO. */
  public static final int IO_REPARSE_TAG_LX_FIFO = 0x80000024;
  /** WSL character device. */
  public static final int IO_REPARSE_TAG_LX_CHR = 0x80000025;
  /** WSL block device. */
  public static final int IO_REPARSE_TAG_LX_BLK = 0x80000026;
  /** Cloud files (OneDrive placeholders): 0x9000001A with the high nibble of the low word. */
  public static final int IO_REPARSE_TAG_CLOUD = 0x9000001A;
  /** The mask that maps every cloud-files tag (0x9000x01A) to {@link #IO_REPARSE_TAG_CLOUD}. */
  public static final int CLOUD_MASK = 0xFFFF0FFF;
  /** AppExecLink (Store app execution aliases). */
  public static final int IO_REPARSE_TAG_APPEXECLINK = 0x8000001B;

  /** Symbolic link flag: the target is relative to the link's directory. */
  public static final int SYMLINK_FLAG_RELATIVE = 1;

  /** WOF provider: a WIM file (WIMBoot). */
  public static final int WOF_PROVIDER_WIM = 1;
  /** WOF provider: file (system compression, CompactOS). */
  public static final int WOF_PROVIDER_FILE = 2;
  /** WOF file provider algorithm: XPRESS with 4 KiB chunks. */
  public static final int WOF_XPRESS4K = 0;
  /** WOF file provider algorithm: LZX with 32 KiB chunks. */
  public static final int WOF_LZX = 1;
  /** WOF file provider algorithm: XPRESS with 8 KiB chunks. */
  public static final int WOF_XPRESS8K = 2;
  /** WOF file provider algorithm: XPRESS with 16 KiB chunks. */
  public static final int WOF_XPRESS16K = 3;

  /** What a tag's data decodes to. */
  public sealed interface Content permits Link, Wof, Dedup, LxSymlink, LxSpecial, Other {}

  /**
   * A symbolic link or a mount point (junction).
   *
   * @param junction whether this is a mount point (no flags field) rather than a symlink
   * @param substituteName the name the system follows ({@code \??\C:\dir}, {@code ..\x})
   * @param printName the name shown to users
   * @param flags the symlink flags ({@link #SYMLINK_FLAG_RELATIVE}); 0 for a junction
   */
  public record Link(boolean junction, String substituteName, String printName, int flags)
      implements Content {
    /** {@return whether a symlink's target is relative to its directory} */
    public boolean relative() {
      return !junction && (flags & SYMLINK_FLAG_RELATIVE) != 0;
    }
  }

  /**
   * A WOF reparse point.
   *
   * @param wofVersion the WOF external info version (1)
   * @param provider the provider ({@link #WOF_PROVIDER_WIM}, {@link #WOF_PROVIDER_FILE})
   * @param providerVersion the provider's structure version (1)
   * @param algorithm for the file provider, the compression ({@link #WOF_XPRESS4K} ...); -1 for
   *     other providers
   * @param providerData the provider's bytes after its version
   */
  public record Wof(int wofVersion, int provider, int providerVersion, int algorithm,
      byte[] providerData) implements Content {
    /** {@return the compression chunk size of the file provider's algorithm, or -1} */
    public int chunkSize() {
      return switch (provider == WOF_PROVIDER_FILE ? algorithm : -1) {
        case WOF_XPRESS4K -> 4096;
        case WOF_LZX -> 32768;
        case WOF_XPRESS8K -> 8192;
        case WOF_XPRESS16K -> 16384;
        default -> -1;
      };
    }

    /** {@return the algorithm's name ({@code XPRESS4K}, {@code LZX} ...) or {@code unknown}} */
    public String algorithmName() {
      return switch (provider == WOF_PROVIDER_FILE ? algorithm : -1) {
        case WOF_XPRESS4K -> "XPRESS4K";
        case WOF_LZX -> "LZX";
        case WOF_XPRESS8K -> "XPRESS8K";
        case WOF_XPRESS16K -> "XPRESS16K";
        default -> "unknown";
      };
    }

    /** {@return the provider data (a copy)} */
    @Override
    public byte[] providerData() {
      return providerData.clone();
    }
  }

  /**
   * A deduplicated file: the contents live in the volume's chunk store, which this library does
   * not read.
   *
   * @param length the data's length
   */
  public record Dedup(int length) implements Content {}

  /**
   * A WSL symbolic link.
   *
   * @param version the format version (2)
   * @param target the target, a POSIX path (UTF-8 on disk)
   */
  public record LxSymlink(int version, String target) implements Content {}

  /**
   * A WSL special file: an AF_UNIX socket, FIFO, character or block device (the tag says which;
   * device numbers live in the file's extended attributes, not here).
   *
   * @param kind {@code socket}, {@code fifo}, {@code chr} or {@code blk}
   */
  public record LxSpecial(String kind) implements Content {}

  /**
   * Any other tag, kept as its bytes (see {@link ReparsePoint#data()}).
   *
   * @param name a name for the tag if known ({@code cloud}, {@code appexeclink} ...), else empty
   */
  public record Other(String name) implements Content {}

  /** {@return whether the tag is a Microsoft tag} */
  public boolean isMicrosoft() {
    return (tag & MICROSOFT_BIT) != 0;
  }

  /** {@return whether the tag marks a name surrogate (a link to another file or directory)} */
  public boolean isNameSurrogate() {
    return (tag & NAME_SURROGATE_BIT) != 0;
  }

  /**
   * Parses a {@code $REPARSE_POINT} value.
   *
   * @param value the value, position to limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source}, for error messages
   * @return the reparse point
   * @throws CorruptStructureException if the header's length does not match the value, or the
   *     data of a decoded tag is inconsistent
   */
  public static ReparsePoint parse(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 8, source, offset, STRUCTURE);
    int tag = b.getInt(0);
    int length = b.getShort(4) & 0xffff;
    if (length > MAX_DATA || length != b.limit() - 8) {
      throw corrupt(source, offset, "data length " + length + " does not match the "
          + (b.limit() - 8) + " bytes after the header");
    }
    ByteBuffer data = Bytes.le(b.slice(8, length));
    if ((tag & MICROSOFT_BIT) == 0 && length < 16) {
      throw corrupt(source, offset, String.format(
          "third-party tag 0x%08x has %d bytes, less than its 16-byte GUID", tag, length));
    }
    Content content = switch (tag) {
      case IO_REPARSE_TAG_SYMLINK -> link(data, false, source, offset + 8);
      case IO_REPARSE_TAG_MOUNT_POINT -> link(data, true, source, offset + 8);
      case IO_REPARSE_TAG_WOF -> wof(data, source, offset + 8);
      case IO_REPARSE_TAG_DEDUP -> new Dedup(length);
      case IO_REPARSE_TAG_LX_SYMLINK -> lxSymlink(data, source, offset + 8);
      case IO_REPARSE_TAG_AF_UNIX -> new LxSpecial("socket");
      case IO_REPARSE_TAG_LX_FIFO -> new LxSpecial("fifo");
      case IO_REPARSE_TAG_LX_CHR -> new LxSpecial("chr");
      case IO_REPARSE_TAG_LX_BLK -> new LxSpecial("blk");
      case IO_REPARSE_TAG_APPEXECLINK -> new Other("appexeclink");
      default -> new Other((tag & CLOUD_MASK) == IO_REPARSE_TAG_CLOUD ? "cloud" : "");
    };
    return new ReparsePoint(tag, data.asReadOnlyBuffer(), content);
  }

  private static Link link(ByteBuffer d, boolean junction, String source, long offset)
      throws CorruptStructureException {
    int header = junction ? 8 : 12;
    Bytes.require(d, 0, header, source, offset, STRUCTURE);
    int subOff = d.getShort(0) & 0xffff;
    int subLen = d.getShort(2) & 0xffff;
    int printOff = d.getShort(4) & 0xffff;
    int printLen = d.getShort(6) & 0xffff;
    int flags = junction ? 0 : d.getInt(8);
    int pathBytes = d.limit() - header;
    String sub = utf16(d, header, pathBytes, subOff, subLen, "substitute", source, offset);
    String print = utf16(d, header, pathBytes, printOff, printLen, "print", source, offset);
    return new Link(junction, sub, print, flags);
  }

  private static String utf16(ByteBuffer d, int base, int available, int off, int len,
      String what, String source, long offset) throws CorruptStructureException {
    if ((off & 1) != 0 || (len & 1) != 0 || off + len > available) {
      throw corrupt(source, offset, what + " name (" + len + " bytes at " + off
          + ") is odd or lies outside the " + available + "-byte path buffer");
    }
    byte[] bytes = new byte[len];
    d.get(base + off, bytes);
    return new String(bytes, StandardCharsets.UTF_16LE);
  }

  private static Wof wof(ByteBuffer d, String source, long offset)
      throws CorruptStructureException {
    Bytes.require(d, 0, 8, source, offset, STRUCTURE);
    int version = d.getInt(0);
    int provider = d.getInt(4);
    if (version != 1) {
      throw corrupt(source, offset, "WOF version " + version + " is not 1");
    }
    int providerVersion = -1;
    int algorithm = -1;
    byte[] rest = new byte[0];
    if (d.limit() >= 12) {
      providerVersion = d.getInt(8);
      rest = new byte[d.limit() - 12];
      d.get(12, rest);
    }
    if (provider == WOF_PROVIDER_FILE) {
      Bytes.require(d, 0, 16, source, offset, STRUCTURE);
      if (providerVersion != 1) {
        throw corrupt(source, offset, "WOF file provider version " + providerVersion
            + " is not 1");
      }
      algorithm = d.getInt(12);
    }
    return new Wof(version, provider, providerVersion, algorithm, rest);
  }

  private static LxSymlink lxSymlink(ByteBuffer d, String source, long offset)
      throws CorruptStructureException {
    Bytes.require(d, 0, 4, source, offset, STRUCTURE);
    int version = d.getInt(0);
    byte[] bytes = new byte[d.limit() - 4];
    d.get(4, bytes);
    try {
      String target = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new LxSymlink(version, target);
    } catch (CharacterCodingException e) {
      throw corrupt(source, offset, "WSL symlink target is not UTF-8");
    }
  }

  // ---- target translation ----

  /** How a link target relates to the volume the link lies on. */
  public enum TargetKind {
    /** Relative to the link's directory: {@link Target#path()} is relative ({@code ../x}). */
    RELATIVE,
    /** On this volume: {@link Target#path()} is absolute in the volume ({@code /dir/x}). */
    VOLUME,
    /**
     * On a drive not known to be this volume: {@link Target#path()} is {@code
     * /.NTFS-3G/D:/dir/x}, the place ntfs-3g shows such targets at (the user may put a link to
     * the drive's mount point there).
     */
    OTHER_DRIVE,
    /** A volume GUID path ({@code \??\Volume{...}\x}): {@link Target#path()} is that text. */
    VOLUME_GUID,
    /** A UNC path ({@code \??\UNC\server\share}): {@link Target#path()} is {@code //server/share}. */
    UNC,
    /** Anything else (device paths ...): {@link Target#path()} is the original text. */
    UNKNOWN
  }

  /**
   * A link target in the image's path space.
   *
   * @param kind how the target relates to this volume
   * @param path the path (see {@link TargetKind})
   * @param drive the drive letter of an absolute drive target, upper case, or empty
   */
  public record Target(TargetKind kind, String path, Optional<Character> drive) {}

  /**
   * Translates a link target into the image's path space: backslashes become slashes, the {@code
   * \??\} and {@code \\?\} prefixes go, an absolute target on {@code volumeDrive} becomes {@code
   * /dir/x}, one on another (or an unknown) drive {@code /.NTFS-3G/D:/dir/x} as ntfs-3g shows it.
   * A symlink with the relative flag is resolved against nothing: it stays relative ({@code
   * ..\x} becomes {@code ../x}), and a relative target starting with a backslash is rooted at
   * this volume.
   *
   * @param link the symlink or junction
   * @param volumeDrive the drive letter this volume had under Windows, or null if unknown
   * @return the target
   */
  public static Target translateTarget(Link link, Character volumeDrive) {
    return translateTarget(link, volumeDrive, path -> false);
  }

  /**
   * Translates a link target like {@link #translateTarget(Link, Character)}, and, as ntfs-3g
   * does, takes an absolute target on an unknown drive to be on this volume when {@code
   * existsOnVolume} says its path exists here. ntfs-3g 2022 resolves such a target only when it
   * finds a file of the link's own kind there (a directory for a junction or a directory
   * symlink, a non-directory for a file symlink); the predicate should test the same.
   *
   * @param link the symlink or junction
   * @param volumeDrive the drive letter this volume had under Windows, or null if unknown
   * @param existsOnVolume whether a volume path ({@code /dir/x}, case as in the target) exists on
   *     this volume as a file of the link's kind
   * @return the target
   */
  public static Target translateTarget(Link link, Character volumeDrive,
      Predicate<String> existsOnVolume) {
    String t = link.substituteName();
    if (link.relative()) {
      String p = t.replace('\\', '/');
      return p.startsWith("/") ? new Target(TargetKind.VOLUME, p, Optional.empty())
          : new Target(TargetKind.RELATIVE, p, Optional.empty());
    }
    String rest;
    if (t.startsWith("\\??\\") || t.startsWith("\\\\?\\")) {
      rest = t.substring(4);
    } else {
      rest = t;
    }
    if (rest.regionMatches(true, 0, "UNC\\", 0, 4)) {
      return new Target(TargetKind.UNC, "//" + rest.substring(4).replace('\\', '/'),
          Optional.empty());
    }
    if (rest.startsWith("\\\\")) {
      return new Target(TargetKind.UNC, rest.replace('\\', '/'), Optional.empty());
    }
    if (rest.regionMatches(true, 0, "Volume{", 0, 7)) {
      return new Target(TargetKind.VOLUME_GUID, rest, Optional.empty());
    }
    if (rest.length() >= 2 && rest.charAt(1) == ':' && isLetter(rest.charAt(0))
        && (rest.length() == 2 || rest.charAt(2) == '\\')) {
      char drive = Character.toUpperCase(rest.charAt(0));
      String path = rest.length() <= 3 ? "/" : "/" + stripSlash(rest.substring(3))
          .replace('\\', '/');
      boolean here = volumeDrive != null ? Character.toUpperCase(volumeDrive) == drive
          : existsOnVolume.test(path);
      if (here) {
        return new Target(TargetKind.VOLUME, path, Optional.of(drive));
      }
      return new Target(TargetKind.OTHER_DRIVE,
          "/.NTFS-3G/" + drive + ":" + path, Optional.of(drive));
    }
    if (!link.junction() && !t.startsWith("\\")) {
      // a symlink without the relative flag but with a relative-looking target
      return new Target(TargetKind.RELATIVE, t.replace('\\', '/'), Optional.empty());
    }
    return new Target(TargetKind.UNKNOWN, t, Optional.empty());
  }

  private static String stripSlash(String s) {
    return s.endsWith("\\") ? s.substring(0, s.length() - 1) : s;
  }

  private static boolean isLetter(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }
}
