package dev.vdisk.deb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Builds small {@code .deb} files for unit tests (the oracle tests use dpkg-deb instead).
 */
public final class TestDebs {
  private final Map<String, String> fields = new LinkedHashMap<>();
  private final Map<String, byte[]> members = new LinkedHashMap<>();
  private final Map<String, Integer> memberModes = new LinkedHashMap<>();
  private final List<TarArchiveEntry> entries = new ArrayList<>();
  private final List<byte[]> contents = new ArrayList<>();
  private final List<String> conffiles = new ArrayList<>();
  private int uid;
  private int gid;
  private String user = "root";
  private String group = "root";
  private Instant mtime = Instant.parse("2024-01-02T03:04:05Z");

  private TestDebs(String name, String version, String arch) {
    fields.put("Package", name);
    fields.put("Version", version);
    fields.put("Architecture", arch);
    fields.put("Maintainer", "Test <test@example.org>");
    fields.put("Installed-Size", "1");
    fields.put("Section", "misc");
    fields.put("Priority", "optional");
    fields.put("Description", "test package\n a test package built by TestDebs");
  }

  /**
   * A new package.
   *
   * @param name the name
   * @param version the version
   * @param arch the architecture
   * @return the builder
   */
  public static TestDebs of(String name, String version, String arch) {
    return new TestDebs(name, version, arch);
  }

  /** Sets a control field. */
  public TestDebs field(String name, String value) {
    fields.put(name, value);
    return this;
  }

  /** Adds a control member (preinst, triggers, ...). */
  public TestDebs member(String name, String text, int mode) {
    members.put(name, text.getBytes(StandardCharsets.UTF_8));
    memberModes.put(name, mode);
    return this;
  }

  /** Owner for the following entries. */
  public TestDebs owner(int uid, int gid, String user, String group) {
    this.uid = uid;
    this.gid = gid;
    this.user = user;
    this.group = group;
    return this;
  }

  /** Modification time for the following entries. */
  public TestDebs mtime(Instant t) {
    this.mtime = t;
    return this;
  }

  private TarArchiveEntry entry(String path, byte type) {
    TarArchiveEntry e = new TarArchiveEntry("." + path, type);
    e.setIds(uid, gid);
    e.setUserName(user);
    e.setGroupName(group);
    e.setModTime(java.util.Date.from(mtime));
    return e;
  }

  /** A directory ("/" for the root entry). */
  public TestDebs dir(String path, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(path.equals("/") ? "./" : "." + path + "/");
    e.setIds(uid, gid);
    e.setUserName(user);
    e.setGroupName(group);
    e.setModTime(java.util.Date.from(mtime));
    e.setMode(040000 | mode);
    entries.add(e);
    contents.add(null);
    return this;
  }

  /** A regular file. */
  public TestDebs file(String path, String content, int mode) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = entry(path, TarConstants.LF_NORMAL);
    e.setMode(0100000 | mode);
    e.setSize(b.length);
    entries.add(e);
    contents.add(b);
    return this;
  }

  /** A conffile (a regular file listed in conffiles). */
  public TestDebs conffile(String path, String content, int mode) {
    conffiles.add(path);
    return file(path, content, mode);
  }

  /** A symbolic link. */
  public TestDebs symlink(String path, String target) {
    TarArchiveEntry e = entry(path, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    e.setMode(0120777);
    entries.add(e);
    contents.add(null);
    return this;
  }

  /** A hard link to an earlier file. */
  public TestDebs hardlink(String path, String target) {
    TarArchiveEntry e = entry(path, TarConstants.LF_LINK);
    e.setLinkName("." + target);
    e.setMode(0100644);
    entries.add(e);
    contents.add(null);
    return this;
  }

  /** A character device. */
  public TestDebs charDevice(String path, int major, int minor) {
    TarArchiveEntry e = entry(path, TarConstants.LF_CHR);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    e.setMode(020644);
    entries.add(e);
    contents.add(null);
    return this;
  }

  /**
   * Writes the package.
   *
   * @param out the file
   * @param compression "", "gz", "xz", "zst" or "bz2" for the data archive (control: gz)
   * @return out
   * @throws IOException on an I/O error
   */
  public Path write(Path out, String compression) throws IOException {
    StringBuilder control = new StringBuilder();
    for (Map.Entry<String, String> f : fields.entrySet()) {
      control.append(ControlParagraph.Field.of(f.getKey(), f.getValue()).raw());
    }
    Map<String, byte[]> ctl = new LinkedHashMap<>();
    ctl.put("control", control.toString().getBytes(StandardCharsets.UTF_8));
    if (!conffiles.isEmpty()) {
      ctl.put("conffiles", (String.join("\n", conffiles) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    ctl.putAll(members);
    ByteArrayOutputStream ctlTar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(ctlTar))) {
      TarArchiveEntry root = new TarArchiveEntry("./");
      root.setMode(040755);
      t.putArchiveEntry(root);
      t.closeArchiveEntry();
      for (Map.Entry<String, byte[]> m : ctl.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry("./" + m.getKey());
        e.setMode(0100000 | memberModes.getOrDefault(m.getKey(), 0644));
        e.setSize(m.getValue().length);
        e.setModTime(java.util.Date.from(mtime));
        t.putArchiveEntry(e);
        t.write(m.getValue());
        t.closeArchiveEntry();
      }
    }
    ByteArrayOutputStream dataTar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(compress(dataTar, compression))) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (int i = 0; i < entries.size(); i++) {
        t.putArchiveEntry(entries.get(i));
        if (contents.get(i) != null) {
          t.write(contents.get(i));
        }
        t.closeArchiveEntry();
      }
    }
    try (ArArchiveOutputStream ar = new ArArchiveOutputStream(Files.newOutputStream(out))) {
      add(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
      add(ar, "control.tar.gz", ctlTar.toByteArray());
      add(ar, "data.tar" + (compression.isEmpty() ? "" : "." + compression),
          dataTar.toByteArray());
    }
    return out;
  }

  private static OutputStream compress(OutputStream out, String c) throws IOException {
    return switch (c) {
      case "" -> out;
      case "gz" -> new GZIPOutputStream(out);
      case "xz" -> new XZOutputStream(out, new LZMA2Options());
      case "bz2" -> new BZip2CompressorOutputStream(out);
      case "zst" -> new io.airlift.compress.zstd.ZstdOutputStream(out);
      default -> throw new IllegalArgumentException(c);
    };
  }

  private static void add(ArArchiveOutputStream ar, String name, byte[] b) throws IOException {
    ArArchiveEntry e = new ArArchiveEntry(name, b.length, 0, 0, 0100644, 1700000000L);
    ar.putArchiveEntry(e);
    ar.write(b);
    ar.closeArchiveEntry();
  }
}
