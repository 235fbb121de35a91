package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * A node's {@link NodeAttributes} as the JDK's attribute interfaces: basic, POSIX and DOS at
 * once. The file key is {@code (volume identity, node id)}, so hard links are the same file.
 */
public final class NodeFileAttributes implements PosixFileAttributes, DosFileAttributes {
  private final NodeAttributes a;
  private final Object fileKey;

  /**
   * Wraps attributes.
   *
   * @param a the driver's attributes
   * @param fileKey the key {@link #fileKey()} returns
   */
  public NodeFileAttributes(NodeAttributes a, Object fileKey) {
    this.a = a;
    this.fileKey = fileKey;
  }

  /**
   * The driver's attributes.
   *
   * @return the attributes
   */
  public NodeAttributes attributes() {
    return a;
  }

  @Override
  public FileTime lastModifiedTime() {
    return a.lastModifiedTime();
  }

  @Override
  public FileTime lastAccessTime() {
    return a.lastAccessTime();
  }

  @Override
  public FileTime creationTime() {
    return a.creationTime();
  }

  @Override
  public boolean isRegularFile() {
    return a.type() == NodeType.REGULAR_FILE;
  }

  @Override
  public boolean isDirectory() {
    return a.type() == NodeType.DIRECTORY;
  }

  @Override
  public boolean isSymbolicLink() {
    return a.type() == NodeType.SYMBOLIC_LINK;
  }

  @Override
  public boolean isOther() {
    return !isRegularFile() && !isDirectory() && !isSymbolicLink();
  }

  @Override
  public long size() {
    return a.size();
  }

  @Override
  public Object fileKey() {
    return fileKey;
  }

  @Override
  public UserPrincipal owner() {
    return new NumericPrincipal(a.uid(), false);
  }

  @Override
  public GroupPrincipal group() {
    return new NumericPrincipal(a.gid(), true);
  }

  @Override
  public Set<PosixFilePermission> permissions() {
    return permissions(a.mode());
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(order[i]);
      }
    }
    return set;
  }

  private int dos() {
    return a.dosAttributes().orElse(0);
  }

  @Override
  public boolean isReadOnly() {
    return (dos() & 0x1) != 0;
  }

  @Override
  public boolean isHidden() {
    return (dos() & 0x2) != 0;
  }

  @Override
  public boolean isSystem() {
    return (dos() & 0x4) != 0;
  }

  @Override
  public boolean isArchive() {
    return (dos() & 0x20) != 0;
  }
}
