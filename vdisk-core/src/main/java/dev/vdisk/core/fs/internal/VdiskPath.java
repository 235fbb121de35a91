package dev.vdisk.core.fs.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A path in a {@link NodeFileSystem}: {@code '/'}-separated names, absolute when it starts with
 * {@code '/'}. Relative paths resolve against the root. Immutable.
 */
public final class VdiskPath implements Path {
  private final NodeFileSystem fs;
  private final boolean absolute;
  private final String[] names;
  private volatile String string;

  VdiskPath(NodeFileSystem fs, boolean absolute, String[] names) {
    this.fs = fs;
    this.absolute = absolute;
    this.names = names;
  }

  static VdiskPath parse(NodeFileSystem fs, String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    String s = sb.toString();
    if (s.indexOf('\0') >= 0) {
      throw new java.nio.file.InvalidPathException(s, "NUL character in path");
    }
    boolean abs = s.startsWith("/");
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '/') {
        if (i > start) {
          parts.add(s.substring(start, i));
        }
        start = i + 1;
      }
    }
    return new VdiskPath(fs, abs, parts.toArray(new String[0]));
  }

  String[] names() {
    return names;
  }

  @Override
  public NodeFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return absolute;
  }

  @Override
  public VdiskPath getRoot() {
    return absolute ? new VdiskPath(fs, true, new String[0]) : null;
  }

  @Override
  public VdiskPath getFileName() {
    if (names.length == 0) {
      return null;
    }
    return new VdiskPath(fs, false, new String[] {names[names.length - 1]});
  }

  @Override
  public VdiskPath getParent() {
    if (names.length == 0 || (names.length == 1 && !absolute)) {
      return null;
    }
    return new VdiskPath(fs, absolute, Arrays.copyOf(names, names.length - 1));
  }

  @Override
  public int getNameCount() {
    return names.length;
  }

  @Override
  public VdiskPath getName(int index) {
    if (index < 0 || index >= names.length) {
      throw new IllegalArgumentException("index " + index + " of " + names.length);
    }
    return new VdiskPath(fs, false, new String[] {names[index]});
  }

  @Override
  public VdiskPath subpath(int beginIndex, int endIndex) {
    if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
      throw new IllegalArgumentException(beginIndex + ".." + endIndex + " of " + names.length);
    }
    return new VdiskPath(fs, false, Arrays.copyOfRange(names, beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    if (!(other instanceof VdiskPath)) {
      return false;
    }
    VdiskPath o = (VdiskPath) other;
    if (o.fs != fs || o.absolute != absolute || o.names.length > names.length) {
      return false;
    }
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean endsWith(Path other) {
    if (!(other instanceof VdiskPath)) {
      return false;
    }
    VdiskPath o = (VdiskPath) other;
    if (o.fs != fs || o.names.length > names.length) {
      return false;
    }
    if (o.absolute) {
      return absolute && equals(o);
    }
    int off = names.length - o.names.length;
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[off + i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public VdiskPath normalize() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.equals(".")) {
        continue;
      }
      if (n.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
          continue;
        }
        if (absolute) {
          continue;
        }
      }
      out.add(n);
    }
    return new VdiskPath(fs, absolute, out.toArray(new String[0]));
  }

  @Override
  public VdiskPath resolve(Path other) {
    VdiskPath o = check(other);
    if (o.absolute) {
      return o;
    }
    if (o.names.length == 0) {
      return this;
    }
    String[] joined = Arrays.copyOf(names, names.length + o.names.length);
    System.arraycopy(o.names, 0, joined, names.length, o.names.length);
    return new VdiskPath(fs, absolute, joined);
  }

  @Override
  public VdiskPath resolve(String other) {
    if (!other.isEmpty() && other.indexOf('/') < 0 && other.indexOf('\0') < 0) {
      String[] joined = Arrays.copyOf(names, names.length + 1);
      joined[names.length] = other;
      return new VdiskPath(fs, absolute, joined);
    }
    return resolve(parse(fs, other));
  }

  @Override
  public VdiskPath relativize(Path other) {
    VdiskPath o = check(other);
    if (o.absolute != absolute) {
      throw new IllegalArgumentException("one path is absolute, the other is not");
    }
    int common = 0;
    while (common < names.length && common < o.names.length
        && names[common].equals(o.names[common])) {
      common++;
    }
    List<String> out = new ArrayList<>();
    for (int i = common; i < names.length; i++) {
      out.add("..");
    }
    out.addAll(Arrays.asList(o.names).subList(common, o.names.length));
    return new VdiskPath(fs, false, out.toArray(new String[0]));
  }

  @Override
  public URI toUri() {
    return fs.uriOf(toAbsolutePath());
  }

  @Override
  public VdiskPath toAbsolutePath() {
    return absolute ? this : new VdiskPath(fs, true, names);
  }

  @Override
  public VdiskPath toRealPath(LinkOption... options) throws IOException {
    return fs.realPath(this, NodeFileSystem.followLinks(options));
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("watching is not supported inside disk images");
  }

  @Override
  public int compareTo(Path other) {
    return toString().compareTo(check(other).toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VdiskPath && ((VdiskPath) o).fs == fs
        && ((VdiskPath) o).toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(fs), toString());
  }

  @Override
  public String toString() {
    String s = string;
    if (s == null) {
      s = (absolute ? "/" : "") + String.join("/", names);
      string = s;
    }
    return s;
  }

  private VdiskPath check(Path other) {
    Objects.requireNonNull(other, "other");
    if (!(other instanceof VdiskPath) || ((VdiskPath) other).fs != fs) {
      throw new ProviderMismatchException("not a path of " + fs);
    }
    return (VdiskPath) other;
  }
}
