package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileAttribute;
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
      fs.checkWritable();
      if (lastModifiedTime == null && lastAccessTime == null && createTime == null) {
        return;
      }
      fs.volume().setTimes(fs.resolve(path, follow), lastModifiedTime, lastAccessTime, createTime);
    }

    public UserPrincipal getOwner() throws IOException {
      return attrs().owner();
    }

    public void setOwner(UserPrincipal owner) throws IOException {
      fs.checkWritable();
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
    try {
      return Long.parseLong(p.getName());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("owners inside an image are numeric ids, not "
          + p.getName(), e);
    }
  }

  /** The permission bits ({@code 0777}) of a permission set. */
  static int bits(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 1 << (8 - p.ordinal());
    }
    return mode;
  }

  /**
   * The mode a new node gets from {@code posix:permissions} or {@code unix:mode} among the
   * initial attributes of a create call.
   *
   * @param attrs the attributes
   * @param otherwise the mode when none is given
   * @return the permission bits
   * @throws UnsupportedOperationException for any other attribute
   */
  @SuppressWarnings("unchecked")
  public static int modeOf(FileAttribute<?>[] attrs, int otherwise) {
    int mode = otherwise;
    for (FileAttribute<?> a : attrs) {
      String name = a.name();
      if (name.equals("posix:permissions") && a.value() instanceof Set) {
        mode = bits((Set<PosixFilePermission>) a.value());
      } else if (name.equals("unix:mode") && a.value() instanceof Number) {
        mode = ((Number) a.value()).intValue() & 07777;
      } else {
        throw new UnsupportedOperationException("initial attribute " + name
            + " (only posix:permissions and unix:mode)");
      }
    }
    return mode;
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
      fs.checkWritable();
      Node node = fs.resolve(path, follow);
      int keep = fs.volume().attributes(node).mode() & 07000;
      fs.volume().setMode(node, keep | bits(perms));
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
      fs.checkWritable();
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
      refuseDos(fs);
    }

    @Override
    public void setHidden(boolean value) {
      refuseDos(fs);
    }

    @Override
    public void setSystem(boolean value) {
      refuseDos(fs);
    }

    @Override
    public void setArchive(boolean value) {
      refuseDos(fs);
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
    public int write(String name, ByteBuffer src) throws IOException {
      fs.checkWritable();
      byte[] bytes = new byte[src.remaining()];
      src.get(bytes);
      fs.volume().setExtendedAttribute(fs.resolve(path, follow), "user." + name, bytes);
      return bytes.length;
    }

    @Override
    public void delete(String name) throws IOException {
      fs.checkWritable();
      removeExtended(fs, path, "user." + name, follow);
    }
  }

  /** DOS bits have no setter in the node API. */
  static void refuseDos(NodeFileSystem fs) {
    fs.checkWritable();
    throw new UnsupportedOperationException("DOS attributes cannot be changed on this volume");
  }

  static void removeExtended(NodeFileSystem fs, VdiskPath path, String fullName, boolean follow)
      throws IOException {
    Node node = fs.resolve(path, follow);
    if (!fs.volume().extendedAttributes(node).containsKey(fullName)) {
      throw new FileSystemException(path.toString(), null, "no attribute " + fullName);
    }
    fs.volume().removeExtendedAttribute(node, fullName);
  }

  /**
   * Sets one attribute named {@code "view:name"} (the view defaults to {@code basic}), as {@link
   * java.nio.file.Files#setAttribute} does: {@code basic:lastModifiedTime}, {@code lastAccessTime}
   * and {@code creationTime}; {@code posix:permissions}, {@code owner} and {@code group}; {@code
   * unix:mode}, {@code uid} and {@code gid} (numbers); {@code owner:owner}; {@code user:NAME} (the
   * extended attribute {@code user.NAME}) and {@code xattr:FULLNAME} (a {@code byte[]} or {@code
   * ByteBuffer}).
   *
   * @param fs the file system
   * @param path the path
   * @param attribute the attribute's name
   * @param value the new value
   * @param follow whether to follow a final symbolic link
   * @throws java.nio.file.ReadOnlyFileSystemException on a read-only file system
   * @throws UnsupportedOperationException for an unknown view
   * @throws IllegalArgumentException for an unknown attribute or a value of the wrong type
   * @throws IOException on failure
   */
  @SuppressWarnings("unchecked")
  public static void setAttribute(NodeFileSystem fs, VdiskPath path, String attribute,
      Object value, boolean follow) throws IOException {
    String view = "basic";
    String name = attribute;
    int colon = attribute.indexOf(':');
    if (colon >= 0) {
      view = attribute.substring(0, colon);
      name = attribute.substring(colon + 1);
    }
    if (!view.equals("basic") && !fs.supportedFileAttributeViews().contains(view)) {
      throw new UnsupportedOperationException("attribute view " + view + " is not supported");
    }
    fs.checkWritable();
    if (view.equals("user") || view.equals("xattr")) {
      byte[] bytes;
      if (value instanceof byte[]) {
        bytes = ((byte[]) value).clone();
      } else if (value instanceof ByteBuffer) {
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        bytes = new byte[b.remaining()];
        b.get(bytes);
      } else {
        throw new IllegalArgumentException(attribute + " needs a byte[] or ByteBuffer, not "
            + (value == null ? "null" : value.getClass().getName()));
      }
      String fullName = view.equals("user") ? "user." + name : name;
      if (view.equals("xattr") && name.indexOf('.') <= 0) {
        throw new IllegalArgumentException("an extended attribute's full name has a namespace "
            + "prefix (user.x, security.selinux): " + name);
      }
      fs.volume().setExtendedAttribute(fs.resolve(path, follow), fullName, bytes);
      return;
    }
    Node node = fs.resolve(path, follow);
    boolean posix = view.equals("posix") || view.equals("unix");
    switch (name) {
      case "lastModifiedTime":
      case "lastAccessTime":
      case "creationTime":
        if (view.equals("owner")) {
          break;
        }
        FileTime t = cast(attribute, value, FileTime.class);
        fs.volume().setTimes(node, name.equals("lastModifiedTime") ? t : null,
            name.equals("lastAccessTime") ? t : null, name.equals("creationTime") ? t : null);
        return;
      case "permissions":
        if (posix) {
          Set<PosixFilePermission> perms = cast(attribute, value, Set.class);
          int keep = fs.volume().attributes(node).mode() & 07000;
          fs.volume().setMode(node, keep | bits(perms));
          return;
        }
        break;
      case "owner":
        if (posix || view.equals("owner")) {
          fs.volume().setOwner(node, id(cast(attribute, value, UserPrincipal.class)), -1);
          return;
        }
        break;
      case "group":
        if (posix) {
          fs.volume().setOwner(node, -1, id(cast(attribute, value, GroupPrincipal.class)));
          return;
        }
        break;
      case "mode":
        if (view.equals("unix")) {
          fs.volume().setMode(node, cast(attribute, value, Number.class).intValue() & 07777);
          return;
        }
        break;
      case "uid":
        if (view.equals("unix")) {
          fs.volume().setOwner(node, cast(attribute, value, Number.class).longValue(), -1);
          return;
        }
        break;
      case "gid":
        if (view.equals("unix")) {
          fs.volume().setOwner(node, -1, cast(attribute, value, Number.class).longValue());
          return;
        }
        break;
      case "readonly":
      case "hidden":
      case "system":
      case "archive":
        if (view.equals("dos")) {
          refuseDos(fs);
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("attribute " + attribute + " cannot be set");
  }

  private static <T> T cast(String attribute, Object value, Class<T> type) {
    if (!type.isInstance(value)) {
      throw new ClassCastException(attribute + " needs a " + type.getSimpleName() + ", not "
          + (value == null ? "null" : value.getClass().getName()));
    }
    return type.cast(value);
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
          // a view of the driver's own (such as "ntfs"): only its names
          all.clear();
          all.putAll(fs.volume().viewAttributes(view, node));
          break;
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
