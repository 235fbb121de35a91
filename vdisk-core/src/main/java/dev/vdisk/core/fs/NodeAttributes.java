package dev.vdisk.core.fs;

import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The metadata of one {@link Node}, as a driver reports it: what {@code stat} shows, plus DOS
 * attribute bits where the file system has them. Times keep the file system's full precision
 * (nanoseconds on ext4).
 *
 * <p>Built with {@link #builder(NodeType)}; fields a file system lacks keep their defaults (0, or
 * the epoch for times).
 */
public final class NodeAttributes {
  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private final NodeType type;
  private final long size;
  private final long allocatedSize;
  private final FileTime lastModifiedTime;
  private final FileTime lastAccessTime;
  private final FileTime changeTime;
  private final FileTime creationTime;
  private final int mode;
  private final long uid;
  private final long gid;
  private final long inode;
  private final long linkCount;
  private final long rdev;
  private final long flags;
  private final int dosAttributes;

  private NodeAttributes(Builder b) {
    this.type = b.type;
    this.size = b.size;
    this.allocatedSize = b.allocatedSize;
    this.lastModifiedTime = b.lastModifiedTime;
    this.lastAccessTime = b.lastAccessTime;
    this.changeTime = b.changeTime;
    this.creationTime = b.creationTime;
    this.mode = b.mode;
    this.uid = b.uid;
    this.gid = b.gid;
    this.inode = b.inode;
    this.linkCount = b.linkCount;
    this.rdev = b.rdev;
    this.flags = b.flags;
    this.dosAttributes = b.dosAttributes;
  }

  /**
   * Starts building the attributes of a node of {@code type}.
   *
   * @param type the node's type
   * @return a builder
   */
  public static Builder builder(NodeType type) {
    return new Builder(type);
  }

  /** @return the node's type */
  public NodeType type() {
    return type;
  }

  /** @return the size in bytes (for a symbolic link, the target's length) */
  public long size() {
    return size;
  }

  /** @return bytes allocated on disk */
  public long allocatedSize() {
    return allocatedSize;
  }

  /** @return the modification time ({@code mtime}) */
  public FileTime lastModifiedTime() {
    return lastModifiedTime;
  }

  /** @return the access time ({@code atime}) */
  public FileTime lastAccessTime() {
    return lastAccessTime;
  }

  /** @return the inode change time ({@code ctime}) */
  public FileTime changeTime() {
    return changeTime;
  }

  /**
   * The creation time ({@code crtime} on ext4); the modification time when the file system does
   * not record one.
   *
   * @return the time
   */
  public FileTime creationTime() {
    return creationTime == null ? lastModifiedTime : creationTime;
  }

  /** @return the POSIX mode, type bits included ({@code 0100644}) */
  public int mode() {
    return mode;
  }

  /** @return the permission bits with setuid, setgid and sticky ({@code mode & 07777}) */
  public int permissions() {
    return mode & 07777;
  }

  /** @return the owner's user id */
  public long uid() {
    return uid;
  }

  /** @return the owner's group id */
  public long gid() {
    return gid;
  }

  /** @return the inode number (or the file system's equivalent) */
  public long inode() {
    return inode;
  }

  /** @return the number of hard links */
  public long linkCount() {
    return linkCount;
  }

  /** @return the device number of a device node ({@code makedev(major, minor)}), else 0 */
  public long rdev() {
    return rdev;
  }

  /** @return the file system's own flag bits ({@code i_flags} on ext4, as {@code lsattr} reads) */
  public long flags() {
    return flags;
  }

  /**
   * The DOS attribute bits (read-only 0x1, hidden 0x2, system 0x4, archive 0x20), when the file
   * system has them.
   *
   * @return the bits, or empty
   */
  public OptionalInt dosAttributes() {
    return dosAttributes < 0 ? OptionalInt.empty() : OptionalInt.of(dosAttributes);
  }

  @Override
  public String toString() {
    return "NodeAttributes[" + type + ", ino " + inode + ", mode " + Integer.toOctalString(mode)
        + ", size " + size + ", uid " + uid + ", gid " + gid + ", nlink " + linkCount + ", mtime "
        + lastModifiedTime + "]";
  }

  /** Builds {@link NodeAttributes}. */
  public static final class Builder {
    private final NodeType type;
    private long size;
    private long allocatedSize;
    private FileTime lastModifiedTime = EPOCH;
    private FileTime lastAccessTime = EPOCH;
    private FileTime changeTime = EPOCH;
    private FileTime creationTime;
    private int mode;
    private long uid;
    private long gid;
    private long inode;
    private long linkCount = 1;
    private long rdev;
    private long flags;
    private int dosAttributes = -1;

    private Builder(NodeType type) {
      this.type = Objects.requireNonNull(type, "type");
      this.mode = type.modeBits();
    }

    /** @param v the size @return this */
    public Builder size(long v) {
      size = v;
      return this;
    }

    /** @param v bytes allocated @return this */
    public Builder allocatedSize(long v) {
      allocatedSize = v;
      return this;
    }

    /** @param v the mtime @return this */
    public Builder lastModifiedTime(FileTime v) {
      lastModifiedTime = Objects.requireNonNull(v);
      return this;
    }

    /** @param v the atime @return this */
    public Builder lastAccessTime(FileTime v) {
      lastAccessTime = Objects.requireNonNull(v);
      return this;
    }

    /** @param v the ctime @return this */
    public Builder changeTime(FileTime v) {
      changeTime = Objects.requireNonNull(v);
      return this;
    }

    /** @param v the creation time, or {@code null} if not recorded @return this */
    public Builder creationTime(FileTime v) {
      creationTime = v;
      return this;
    }

    /** @param v the full POSIX mode (type bits are replaced by the node type's) @return this */
    public Builder mode(int v) {
      mode = (v & 07777) | type.modeBits();
      return this;
    }

    /** @param v the uid @return this */
    public Builder uid(long v) {
      uid = v;
      return this;
    }

    /** @param v the gid @return this */
    public Builder gid(long v) {
      gid = v;
      return this;
    }

    /** @param v the inode number @return this */
    public Builder inode(long v) {
      inode = v;
      return this;
    }

    /** @param v the link count @return this */
    public Builder linkCount(long v) {
      linkCount = v;
      return this;
    }

    /** @param v the device number @return this */
    public Builder rdev(long v) {
      rdev = v;
      return this;
    }

    /** @param v the file system's flag bits @return this */
    public Builder flags(long v) {
      flags = v;
      return this;
    }

    /** @param v the DOS attribute bits @return this */
    public Builder dosAttributes(int v) {
      dosAttributes = v & 0xFFFF;
      return this;
    }

    /** @return the attributes */
    public NodeAttributes build() {
      return new NodeAttributes(this);
    }
  }
}
