package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The attribute views of a {@link NodeFileSystem} and the string-named attribute maps of
 * {@link java.nio.file.Files#readAttributes(java.nio.file.Path, String,
 * java.nio.file.LinkOption...)}.
 *
 * <p>Views: {@code basic}, {@code owner}, {@code posix}, {@code unix} ({@code uid}, {@code gid},
 * {@code mode}, {@code ino}, {@code nlink}, {@code rdev}, {@code ctime}, {@code flags} and the
 * basic ones), {@code dos} (where the driver has DOS bits), {@code user} (the {@code user.*}
 * extended attributes without the prefix, as on Linux) and {@code xattr} (every extended attribute
 * by its full name).
 */
public final class NodeAttributeViews {
  private NodeAttributeViews() {}

  /** Reads attributes lazily: the path is resolved at each call. */
  abstract static class Base {
    final NodeFileSystem fs;
    final VdiskPath path;
    final boolean follow;

    Base(NodeFileSystem fs, VdiskPath path, boolean follow) {
      this.fs = fs;
      this.path = path;
      this.follow = follow;
    }

    NodeFileAttributes attrs() throws IOException {
      Node node = fs.resolve(path, follow);
      return new NodeFileAttributes(fs.volume().attributes(node), fileKey(fs, node));
    }

    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
        throws IOException {
      fs.volume().setTimes(fs.resolve(path, follow), lastModifiedTime, lastAccessTime, createTime);
    }

    public UserPrincipal getOwner() throws IOException {
      return attrs().owner();
    }

    public void setOwner(UserPrincipal owner) throws IOException {
      fs.volume().setOwner(fs.resolve(path, follow), id(owner), -1);
    }
  }

  static Object fileKey(NodeFileSystem fs, Node node) {
    return List.of(System.identityHashCode(fs), node.id());
  }

  static long id(UserPrincipal p) {
    if (p instanceof NumericPrincipal) {
      return ((NumericPrincipal) p).id();
    }
    return Long.parseLong(p.getName());
  }

  /** The {@code basic} view. */
  static final class Basic extends Base implements BasicFileAttributeView {
    Basic(NodeFileSystem fs, VdiskPath path, boolean follow) {
      super(fs, path, follow);
    }

    @Override
    public String name() {
      return "basic";
    }

    @Override
    public BasicFileAttributes readAttributes() throws IOException {
      return attrs();
    }
  }

  /** The {@code posix} view (and {@code owner}). */
  static final class Posix extends Base implements PosixFileAttributeView {
    Posix(NodeFileSystem fs, VdiskPath path, boolean follow) {
      super(fs, path, follow);
    }

    @Override
    public String name() {
      return "posix";
    }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
      return attrs();
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
      int mode = 0;
      for (PosixFilePermission p : perms) {
        mode |= 1 << (8 - p.ordinal());
      }
      Node node = fs.resolve(path, follow);
      int keep = fs.volume().attributes(node).mode() & 07000;
      fs.volume().setMode(node, keep | mode);
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
      fs.volume().setOwner(fs.resolve(path, follow), -1, id(group));
    }
  }

  /** The {@code owner} view. */
  static final class Owner extends Base implements FileOwnerAttributeView {
    Owner(NodeFileSystem fs, VdiskPath path, boolean follow) {
      super(fs, path, follow);
    }

    @Override
    public String name() {
      return "owner";
    }
  }

  /** The {@code dos} view. */
  static final class Dos extends Base implements DosFileAttributeView {
    Dos(NodeFileSystem fs, VdiskPath path, boolean follow) {
      super(fs, path, follow);
    }

    @Override
    public String name() {
      return "dos";
    }

    @Override
    public DosFileAttributes readAttributes() throws IOException {
      return attrs();
    }

    @Override
    public void setReadOnly(boolean value) {
      throw new ReadOnlyFileSystemException();
    }

    @Override
    public void setHidden(boolean value) {
      throw new ReadOnlyFileSystemException();
    }

    @Override
    public void setSystem(boolean value) {
      throw new ReadOnlyFileSystemException();
    }

    @Override
    public void setArchive(boolean value) {
      throw new ReadOnlyFileSystemException();
    }
  }

  /** The {@code user} view: {@code user.*} extended attributes without the prefix. */
  static final class User extends Base implements UserDefinedFileAttributeView {
    User(NodeFileSystem fs, VdiskPath path, boolean follow) {
      super(fs, path, follow);
    }

    @Override
    public String name() {
      return "user";
    }

    private Map<String, byte[]> userAttributes() throws IOException {
      Map<String, byte[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> e :
          fs.volume().extendedAttributes(fs.resolve(path, follow)).entrySet()) {
        if (e.getKey().startsWith("user.")) {
          out.put(e.getKey().substring(5), e.getValue());
        }
      }
      return out;
    }

    @Override
    public List<String> list() throws IOException {
      return new ArrayList<>(userAttributes().keySet());
    }

    @Override
    public int size(String name) throws IOException {
      return value(name).length;
    }

    private byte[] value(String name) throws IOException {
      byte[] v = userAttributes().get(name);
      if (v == null) {
        throw new FileSystemException(path.toString(), null, "no attribute user." + name);
      }
      return v;
    }

    @Override
    public int read(String name, ByteBuffer dst) throws IOException {
      byte[] v = value(name);
      if (dst.remaining() < v.length) {
        throw new IOException("buffer too small for attribute user." + name);
      }
      dst.put(v);
      return v.length;
    }

    @Override
    public int write(String name, ByteBuffer src) {
      throw new ReadOnlyFileSystemException();
    }

    @Override
    public void delete(String name) {
      throw new ReadOnlyFileSystemException();
    }
  }

  /**
   * Makes a view of the given type, or {@code null} if the volume does not support it.
   *
   * @param fs the file system
   * @param path the path
   * @param type the view type
   * @param follow whether to follow a final symbolic link
   * @param <V> the view type
   * @return the view, or {@code null}
   */
  @SuppressWarnings("unchecked")
  public static <V extends FileAttributeView> V view(NodeFileSystem fs, VdiskPath path,
      Class<V> type, boolean follow) {
    Set<String> views = fs.supportedFileAttributeViews();
    if (type == BasicFileAttributeView.class) {
      return (V) new Basic(fs, path, follow);
    }
    if (type == PosixFileAttributeView.class && views.contains("posix")) {
      return (V) new Posix(fs, path, follow);
    }
    if (type == FileOwnerAttributeView.class && views.contains("owner")) {
      return (V) new Owner(fs, path, follow);
    }
    if (type == DosFileAttributeView.class && views.contains("dos")) {
      return (V) new Dos(fs, path, follow);
    }
    if (type == UserDefinedFileAttributeView.class && views.contains("user")) {
      return (V) new User(fs, path, follow);
    }
    return null;
  }

  /**
   * Reads {@code "view:name,name"} or {@code "view:*"} as a map.
   *
   * @param fs the file system
   * @param path the path
   * @param attributes the attribute selector
   * @param follow whether to follow a final symbolic link
   * @return the attributes by name
   * @throws IOException on an I/O error
   */
  public static Map<String, Object> readMap(NodeFileSystem fs, VdiskPath path, String attributes,
      boolean follow) throws IOException {
    String view = "basic";
    String names = attributes;
    int colon = attributes.indexOf(':');
    if (colon >= 0) {
      view = attributes.substring(0, colon);
      names = attributes.substring(colon + 1);
    }
    if (!view.equals("basic") && !fs.supportedFileAttributeViews().contains(view)) {
      throw new UnsupportedOperationException("attribute view " + view + " is not supported");
    }
    Node node = fs.resolve(path, follow);
    Map<String, Object> all = new LinkedHashMap<>();
    if (view.equals("user") || view.equals("xattr")) {
      for (Map.Entry<String, byte[]> e : fs.volume().extendedAttributes(node).entrySet()) {
        if (view.equals("xattr")) {
          all.put(e.getKey(), e.getValue().clone());
        } else if (e.getKey().startsWith("user.")) {
          all.put(e.getKey().substring(5), e.getValue().clone());
        }
      }
    } else {
      NodeAttributes a = fs.volume().attributes(node);
      NodeFileAttributes f = new NodeFileAttributes(a, fileKey(fs, node));
      all.put("lastModifiedTime", f.lastModifiedTime());
      all.put("lastAccessTime", f.lastAccessTime());
      all.put("creationTime", f.creationTime());
      all.put("size", f.size());
      all.put("isRegularFile", f.isRegularFile());
      all.put("isDirectory", f.isDirectory());
      all.put("isSymbolicLink", f.isSymbolicLink());
      all.put("isOther", f.isOther());
      all.put("fileKey", f.fileKey());
      switch (view) {
        case "basic":
          break;
        case "owner":
          all.clear();
          all.put("owner", f.owner());
          break;
        case "posix":
          all.put("owner", f.owner());
          all.put("group", f.group());
          all.put("permissions", f.permissions());
          break;
        case "unix":
          all.put("owner", f.owner());
          all.put("group", f.group());
          all.put("permissions", f.permissions());
          all.put("uid", (int) a.uid());
          all.put("gid", (int) a.gid());
          all.put("mode", a.mode());
          all.put("ino", a.inode());
          all.put("nlink", (int) a.linkCount());
          all.put("rdev", a.rdev());
          all.put("ctime", a.changeTime());
          all.put("flags", a.flags());
          all.put("allocatedSize", a.allocatedSize());
          break;
        case "dos":
          all.put("readonly", f.isReadOnly());
          all.put("hidden", f.isHidden());
          all.put("system", f.isSystem());
          all.put("archive", f.isArchive());
          all.put("attributes", a.dosAttributes().orElse(0));
          break;
        default:
          throw new UnsupportedOperationException("attribute view " + view);
      }
    }
    if (names.equals("*")) {
      return all;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String n : Arrays.asList(names.split(","))) {
      if (n.equals("*")) {
        out.putAll(all);
      } else if (all.containsKey(n)) {
        out.put(n, all.get(n));
      } else if (!view.equals("user") && !view.equals("xattr")) {
        throw new IllegalArgumentException("no attribute " + n + " in view " + view);
      }
    }
    return out;
  }
}
