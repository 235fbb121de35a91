package dev.vdisk.ext4.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name-space operations of a writable ext2/3/4 volume: create, mkdir, symlink, link, unlink,
 * rmdir and rename, with link counts ({@code dir_nlink} included), {@code bg_used_dirs_count},
 * and times as the kernel sets them. Each operation happens inside one transaction of the
 * {@link Ext4Writer}: it never commits; callers call {@link Ext4Writer#maybeCommit()} between
 * operations (and may wrap each in {@link Ext4Writer#beginOperation()} so a failure is undone).
 * All checks that can refuse an operation run before anything changes, and an operation that
 * runs out of space part-way takes back what it did.
 *
 * <p>Example:
 *
 * <pre>{@code
 * Namespace ns = writer.namespace();
 * long dir = ns.mkdir(Ext4Volume.ROOT_INO, "etc", 0755, 0, 0);
 * long file = ns.create(dir, "hosts", 0100644, 0, 0);
 * writer.maybeCommit();
 * ns.rename(dir, "hosts", dir, "hosts.bak");
 * writer.commit();
 * }</pre>
 */
public final class Namespace {
  private static final Logger LOG = LoggerFactory.getLogger(Namespace.class);

  /** {@code EXT4_LINK_MAX}: the most links an inode may have. */
  public static final int LINK_MAX = 65000;
  /** The root directory's inode number. */
  public static final long ROOT_INO = 2;
  private static final int RO_COMPAT_DIR_NLINK = 0x20;

  private final Ext4Writer w;
  private final Superblock sb;
  private final Directories dirs;

  Namespace(Ext4Writer w) {
    this.w = w;
    this.sb = w.superblock();
    this.dirs = w.directories();
  }

  /**
   * Looks a name up in a directory.
   *
   * @param dirIno the directory
   * @param name the name
   * @return the inode number, or 0 when absent
   * @throws IOException if {@code dirIno} is not a directory, or on a corrupt directory
   */
  public long lookup(long dirIno, String name) throws IOException {
    return dirs.find(directory(dirIno), name);
  }

  /**
   * Creates an empty regular file, FIFO or socket ({@code S_IFREG} when {@code mode} carries no
   * type bits).
   *
   * @param dirIno the parent directory
   * @param name the new name
   * @param mode the type and permission bits (for example {@code 0100644} or {@code 0644})
   * @param uid the owner
   * @param gid the group
   * @return the new inode number
   * @throws FileAlreadyExistsException if the name exists
   * @throws IOException when no space or inode is left, or on a corrupt directory
   */
  public long create(long dirIno, String name, int mode, long uid, long gid) throws IOException {
    return create(dirIno, name, mode, uid, gid, 0);
  }

  /**
   * Creates an empty regular file or a special file (character or block device with its device
   * number, FIFO, socket).
   *
   * @param dirIno the parent directory
   * @param name the new name
   * @param mode the type and permission bits ({@code S_IFREG} when no type bits are set)
   * @param uid the owner
   * @param gid the group
   * @param rdev the device number ({@code major << 8 | minor} in the Linux
   *     {@code new_encode_dev} sense: major in bits 8-19, minor in bits 0-7 and 20-31); ignored
   *     for other types
   * @return the new inode number
   * @throws FileAlreadyExistsException if the name exists
   * @throws IOException when no space or inode is left, or on a corrupt directory
   */
  public long create(long dirIno, String name, int mode, long uid, long gid, long rdev)
      throws IOException {
    int type = mode & MutableInode.S_IFMT;
    if (type == 0) {
      type = MutableInode.S_IFREG;
    }
    if (type == MutableInode.S_IFDIR || type == MutableInode.S_IFLNK
        || Directories.fileType(type) == Directories.FT_UNKNOWN) {
      throw new IllegalArgumentException("create makes files, devices, FIFOs and sockets, not "
          + "mode 0" + Integer.toOctalString(mode));
    }
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    requireAbsent(dir, name);
    Instant now = w.now();
    long ino = w.allocateInode(dirIno, false);
    addOrFree(dir, name, ino, Directories.fileType(type), false);
    MutableInode inode = fresh(ino, type | (mode & 07777), uid, gid, now, 1);
    if (type == MutableInode.S_IFREG) {
      w.files().initEmpty(inode);
    } else if (type == 0x2000 || type == 0x6000) {
      setDevice(inode, rdev);
    }
    w.putInode(inode);
    dir.touchModified(now);
    w.putInode(dir);
    LOG.debug("{}: created inode {} (mode 0{}) as '{}' in directory {}", w.source(), ino,
        Integer.toOctalString(inode.mode()), name, dirIno);
    return ino;
  }

  /**
   * Creates a directory ({@code .} and {@code ..}; inline on an {@code inline_data} file
   * system); the parent gains a link.
   *
   * @param dirIno the parent directory
   * @param name the new name
   * @param mode the permission bits (type bits are ignored)
   * @param uid the owner
   * @param gid the group
   * @return the new inode number
   * @throws FileAlreadyExistsException if the name exists
   * @throws FileSystemException "Too many links" when the parent cannot take another
   * @throws IOException when no space or inode is left, or on a corrupt directory
   */
  public long mkdir(long dirIno, String name, int mode, long uid, long gid) throws IOException {
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    requireAbsent(dir, name);
    checkCanIncrement(dir, name);
    Instant now = w.now();
    long ino = w.allocateInode(dirIno, true);
    addOrFree(dir, name, ino, Directories.FT_DIR, true);
    MutableInode inode = fresh(ino, MutableInode.S_IFDIR | (mode & 07777), uid, gid, now, 2);
    w.files().initEmpty(inode);
    try {
      dirs.init(inode, dirIno);
    } catch (IOException | RuntimeException e) {
      undoCreate(dir, name, inode, now, e);
      throw e;
    }
    incrementDirLinks(dir);
    dir.touchModified(now);
    w.putInode(dir);
    LOG.debug("{}: created directory {} as '{}' in directory {}", w.source(), ino, name,
        dirIno);
    return ino;
  }

  /**
   * Creates a symbolic link.
   *
   * @param dirIno the parent directory
   * @param name the new name
   * @param target the link target
   * @param uid the owner
   * @param gid the group
   * @return the new inode number
   * @throws FileAlreadyExistsException if the name exists
   * @throws IOException when no space or inode is left, or on a corrupt directory
   */
  public long symlink(long dirIno, String name, String target, long uid, long gid)
      throws IOException {
    byte[] t = target.getBytes(StandardCharsets.UTF_8);
    if (t.length == 0 || target.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid symbolic link target: '" + target + "'");
    }
    if (t.length >= Math.min(4096, w.blockSize())) {
      throw new FileSystemException(name, null, "File name too long (link target of "
          + t.length + " bytes)");
    }
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    requireAbsent(dir, name);
    Instant now = w.now();
    long ino = w.allocateInode(dirIno, false);
    addOrFree(dir, name, ino, Directories.FT_SYMLINK, false);
    MutableInode inode = fresh(ino, MutableInode.S_IFLNK | 0777, uid, gid, now, 1);
    w.files().initEmpty(inode);
    try {
      w.files().writeSymlink(inode, t);
    } catch (IOException | RuntimeException e) {
      undoCreate(dir, name, inode, now, e);
      throw e;
    }
    w.putInode(inode);
    dir.touchModified(now);
    w.putInode(dir);
    return ino;
  }

  /**
   * Adds a hard link to an existing inode (not a directory).
   *
   * @param dirIno the directory to hold the new name
   * @param name the new name
   * @param ino the inode
   * @throws FileAlreadyExistsException if the name exists
   * @throws FileSystemException for a directory ("Operation not permitted") or an inode with
   *     {@value #LINK_MAX} links ("Too many links")
   * @throws IOException on a corrupt directory or an I/O error
   */
  public void link(long dirIno, String name, long ino) throws IOException {
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    MutableInode inode = w.inode(ino);
    if (inode.isDirectory()) {
      throw new FileSystemException(name, null, "Operation not permitted (hard link to a "
          + "directory)");
    }
    if (inode.links() == 0) {
      throw new NoSuchFileException("inode " + ino);
    }
    if (inode.links() >= LINK_MAX) {
      throw new FileSystemException(name, null, "Too many links");
    }
    requireAbsent(dir, name);
    Instant now = w.now();
    dirs.add(dir, name, ino, Directories.fileType(inode.mode()));
    inode.setLinks(inode.links() + 1);
    inode.setTime(MutableInode.Time.CHANGE, now);
    w.putInode(inode);
    dir.touchModified(now);
    w.putInode(dir);
  }

  /**
   * Removes a name that is not a directory; at the last link the inode and everything it holds
   * are freed.
   *
   * @param dirIno the directory
   * @param name the name
   * @throws NoSuchFileException if absent
   * @throws FileSystemException "Is a directory" for a directory
   * @throws IOException on a corrupt directory or an I/O error
   */
  public void unlink(long dirIno, String name) throws IOException {
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    long ino = dirs.find(dir, name);
    if (ino == 0) {
      throw new NoSuchFileException(name);
    }
    MutableInode inode = w.inode(ino);
    if (inode.isDirectory()) {
      throw new FileSystemException(name, null, "Is a directory");
    }
    Instant now = w.now();
    dirs.remove(dir, name);
    dir.touchModified(now);
    w.putInode(dir);
    dropLink(inode, now);
  }

  /**
   * Removes an empty directory; its parent loses a link.
   *
   * @param dirIno the parent directory
   * @param name the directory's name
   * @throws NoSuchFileException if absent
   * @throws NotDirectoryException if the name is not a directory
   * @throws DirectoryNotEmptyException if it holds entries
   * @throws IOException on a corrupt directory or an I/O error
   */
  public void rmdir(long dirIno, String name) throws IOException {
    Directories.nameBytes(name);
    MutableInode dir = directory(dirIno);
    long ino = dirs.find(dir, name);
    if (ino == 0) {
      throw new NoSuchFileException(name);
    }
    MutableInode victim = w.inode(ino);
    if (!victim.isDirectory()) {
      throw new NotDirectoryException(name);
    }
    if (!dirs.isEmpty(victim)) {
      throw new DirectoryNotEmptyException(name);
    }
    Instant now = w.now();
    dirs.remove(dir, name);
    decrementDirLinks(dir);
    dir.touchModified(now);
    w.putInode(dir);
    victim.setTime(MutableInode.Time.CHANGE, now);
    release(victim, now);
  }

  /**
   * Renames (moves) an entry, replacing an existing target as POSIX {@code rename} does: a file
   * over a file, a directory over an empty directory. Moving a directory rewrites its
   * {@code ..} and moves a link from the old parent to the new one; a directory cannot move
   * into its own subtree. Renaming a name onto another name of the same inode does nothing.
   *
   * @param fromDir the source directory
   * @param fromName the source name
   * @param toDir the target directory
   * @param toName the target name
   * @throws NoSuchFileException if the source is absent
   * @throws NotDirectoryException when a directory would replace a non-directory
   * @throws DirectoryNotEmptyException when the target is a non-empty directory
   * @throws FileSystemException "Is a directory" when a non-directory would replace a directory,
   *     "Invalid argument" when a directory would move into its own subtree, "Too many links"
   * @throws IOException on a corrupt directory or an I/O error
   */
  public void rename(long fromDir, String fromName, long toDir, String toName)
      throws IOException {
    Directories.nameBytes(fromName);
    Directories.nameBytes(toName);
    Map<Long, MutableInode> inodes = new HashMap<>();
    MutableInode fd = directory(fromDir);
    inodes.put(fromDir, fd);
    MutableInode td = fromDir == toDir ? fd : directory(toDir);
    inodes.put(toDir, td);
    long src = dirs.find(fd, fromName);
    if (src == 0) {
      throw new NoSuchFileException(fromName);
    }
    long dst = dirs.find(td, toName);
    if (dst == src) {
      return;
    }
    MutableInode s = inodes.containsKey(src) ? inodes.get(src) : w.inode(src);
    inodes.put(src, s);
    boolean srcDir = s.isDirectory();
    if (srcDir && fromDir != toDir) {
      checkNotInside(src, toDir, inodes);
    }
    MutableInode victim = null;
    if (dst != 0) {
      victim = inodes.containsKey(dst) ? inodes.get(dst) : w.inode(dst);
      inodes.put(dst, victim);
      if (srcDir && !victim.isDirectory()) {
        throw new NotDirectoryException(toName);
      }
      if (!srcDir && victim.isDirectory()) {
        throw new FileSystemException(toName, null, "Is a directory");
      }
      if (victim.isDirectory() && !dirs.isEmpty(victim)) {
        throw new DirectoryNotEmptyException(toName);
      }
    } else if (srcDir && fromDir != toDir) {
      checkCanIncrement(td, toName);
    }
    Instant now = w.now();
    int type = Directories.fileType(s.mode());
    if (dst != 0) {
      dirs.replace(td, toName, src, type);
    } else {
      dirs.add(td, toName, src, type);
    }
    dirs.remove(fd, fromName);
    if (srcDir && fromDir != toDir) {
      dirs.setParent(s, toDir);
      decrementDirLinks(fd);
      if (victim == null) {
        incrementDirLinks(td);
      }
    } else if (srcDir && victim != null) {
      decrementDirLinks(td);
    }
    s.setTime(MutableInode.Time.CHANGE, now);
    w.putInode(s);
    fd.touchModified(now);
    w.putInode(fd);
    if (td != fd) {
      td.touchModified(now);
      w.putInode(td);
    }
    if (victim != null) {
      victim.setTime(MutableInode.Time.CHANGE, now);
      if (victim.isDirectory()) {
        release(victim, now);
      } else {
        dropLink(victim, now);
      }
    }
    LOG.debug("{}: renamed '{}' in {} to '{}' in {}", w.source(), fromName, fromDir, toName,
        toDir);
  }

  // ---- helpers ----

  private MutableInode directory(long ino) throws IOException {
    MutableInode d = w.inode(ino);
    if (!d.isDirectory() || d.links() == 0) {
      throw new NotDirectoryException("inode " + ino);
    }
    return d;
  }

  private void requireAbsent(MutableInode dir, String name) throws IOException {
    if (dirs.find(dir, name) != 0) {
      throw new FileAlreadyExistsException(name);
    }
  }

  /** Adds the entry for a just-allocated inode; frees the inode again if that fails. */
  private void addOrFree(MutableInode dir, String name, long ino, int type, boolean isDir)
      throws IOException {
    try {
      dirs.add(dir, name, ino, type);
    } catch (IOException | RuntimeException e) {
      try {
        w.freeInode(ino, isDir);
      } catch (IOException | RuntimeException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  /**
   * Takes back a half-made create (its entry added, its content failed, typically for want of
   * space): removes the entry and frees the inode, so the transaction stays consistent.
   */
  private void undoCreate(MutableInode dir, String name, MutableInode inode, Instant now,
      Exception cause) {
    try {
      dirs.remove(dir, name);
      inode.setLinks(0);
      inode.setDtime(now.getEpochSecond());
      w.putInode(inode);
      w.freeInode(inode.ino(), inode.isDirectory());
      LOG.debug("{}: took back inode {} after: {}", w.source(), inode.ino(), cause.toString());
    } catch (IOException | RuntimeException undo) {
      cause.addSuppressed(undo);
    }
  }

  private MutableInode fresh(long ino, int mode, long uid, long gid, Instant now, int links) {
    MutableInode inode = w.newInode(ino);
    inode.setMode(mode);
    inode.setOwner(uid, gid);
    inode.setLinks(links);
    for (MutableInode.Time t : MutableInode.Time.values()) {
      inode.setTime(t, now);
    }
    return inode;
  }

  /** Stores a device number in {@code i_block} as the kernel does (old or new encoding). */
  private static void setDevice(MutableInode inode, long rdev) {
    long major = (rdev >>> 8) & 0xFFF;
    long minor = (rdev & 0xFF) | ((rdev >>> 12) & 0xFFF00);
    java.nio.ByteBuffer b = inode.buffer();
    if (major < 256 && minor < 256) {
      b.putInt(MutableInode.I_BLOCK, (int) ((major << 8) | minor));
      b.putInt(MutableInode.I_BLOCK + 4, 0);
    } else {
      b.putInt(MutableInode.I_BLOCK, 0);
      b.putInt(MutableInode.I_BLOCK + 4,
          (int) ((minor & 0xFF) | (major << 8) | ((minor & ~0xFFL) << 12)));
    }
  }

  private boolean dirNlink() {
    return sb.hasRoCompat(RO_COMPAT_DIR_NLINK);
  }

  private void checkCanIncrement(MutableInode dir, String name) throws FileSystemException {
    if (dir.links() >= LINK_MAX && !dirNlink()) {
      throw new FileSystemException(name, null, "Too many links (directory " + dir.ino()
          + " has " + dir.links() + ")");
    }
  }

  /**
   * A new subdirectory's {@code ..}: +1, or 1 once the count would pass {@value #LINK_MAX}
   * (dir_nlink; a count of 1 then stays 1, as the kernel and e2fsck keep it).
   */
  private void incrementDirLinks(MutableInode dir) {
    int n = dir.links();
    if (n == 1 && dirNlink()) {
      return;
    }
    if (n + 1 > LINK_MAX && dirNlink()) {
      dir.setLinks(1);
    } else {
      dir.setLinks(n + 1);
    }
  }

  /** A subdirectory gone: -1, except that a count of 1 or 2 stays (as the kernel keeps it). */
  private static void decrementDirLinks(MutableInode dir) {
    int n = dir.links();
    if (n > 2) {
      dir.setLinks(n - 1);
    }
  }

  private void checkNotInside(long moved, long toDir, Map<Long, MutableInode> inodes)
      throws IOException {
    long cur = toDir;
    for (long guard = 0; guard <= sb.inodesCount; guard++) {
      if (cur == moved) {
        throw new FileSystemException("inode " + moved, null,
            "Invalid argument (a directory cannot move into its own subtree)");
      }
      if (cur == ROOT_INO) {
        return;
      }
      MutableInode d = inodes.containsKey(cur) ? inodes.get(cur) : w.inode(cur);
      long up = dirs.parent(d);
      if (up == cur) {
        return;
      }
      cur = up;
    }
    throw new dev.vdisk.core.CorruptStructureException(w.source(), -1, "directory tree",
        "the '..' chain from directory " + toDir + " does not reach the root");
  }

  private void dropLink(MutableInode inode, Instant now) throws IOException {
    inode.setTime(MutableInode.Time.CHANGE, now);
    int n = inode.links();
    if (n > 1) {
      inode.setLinks(n - 1);
      w.putInode(inode);
      return;
    }
    release(inode, now);
  }

  /** Frees an inode with no names left: its blocks, its xattr block, then the inode. */
  private void release(MutableInode inode, Instant now) throws IOException {
    int type = inode.type();
    boolean dir = type == MutableInode.S_IFDIR;
    inode.setLinks(0);
    if (type == MutableInode.S_IFREG || dir || type == MutableInode.S_IFLNK) {
      long xattrSectors = inode.fileAcl() != 0 ? w.blockSize() / 512 : 0;
      if (inode.sectors() > xattrSectors || inode.hasFlag(Inode.FL_INLINE_DATA)) {
        w.files().freeAll(inode);
      }
      inode.setSize(0);
    }
    w.xattrs().freeAll(inode);
    inode.setDtime(now.getEpochSecond());
    w.putInode(inode);
    w.freeInode(inode.ino(), dir);
    LOG.debug("{}: freed inode {}", w.source(), inode.ino());
  }
}
