package dev.vdisk.deb;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A binary package ({@code .deb}, deb(5)): an {@code ar} archive of {@code debian-binary}, {@code
 * control.tar[.gz|.xz|.zst]} and {@code data.tar[.gz|.xz|.zst|.bz2]}. The control members are read
 * into memory when opened (they are small and bounded); the data archive is streamed on each
 * {@link #forEachData} call.
 *
 * <p>Member names may be GNU style ({@code debian-binary/}) or BSD style ({@code #1/13} with the
 * name before the data); members whose names start with {@code _} between the control and data
 * archives are ignored, as dpkg does. The control archive may hold at most {@link
 * #MAX_CONTROL_BYTES} decompressed bytes.
 */
public final class DebArchive implements Closeable {
  /** The largest control archive accepted, decompressed (16 MiB). */
  public static final long MAX_CONTROL_BYTES = 16L << 20;

  private static final int AR_HEADER = 60;
  private static final byte[] AR_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);

  private final Path file;
  private final String source;
  private final ControlParagraph control;
  private final Map<String, byte[]> members;
  private final Map<String, DataEntry> memberEntries;
  private final long dataOffset;
  private final long dataSize;
  private final String dataName;

  private DebArchive(Path file, ControlParagraph control, Map<String, byte[]> members,
      Map<String, DataEntry> memberEntries, long dataOffset, long dataSize, String dataName) {
    this.memberEntries = Collections.unmodifiableMap(memberEntries);
    this.file = file;
    this.source = file.toString();
    this.control = control;
    this.members = Collections.unmodifiableMap(members);
    this.dataOffset = dataOffset;
    this.dataSize = dataSize;
    this.dataName = dataName;
  }

  /** Receives the data archive's entries in archive order. */
  @FunctionalInterface
  public interface DataVisitor {
    /**
     * One entry.
     *
     * @param entry the entry
     * @param content the file's bytes (regular files; empty for other types), valid only during
     *     the call
     * @throws IOException to stop
     */
    void visit(DataEntry entry, InputStream content) throws IOException;
  }

  /** One ar member header. */
  private record ArMember(String name, long dataOffset, long size, long headerOffset) {}

  /**
   * Opens a package and reads its control archive.
   *
   * @param deb the file
   * @return the package
   * @throws dev.vdisk.core.CorruptStructureException if it is not a well-formed .deb (names the
   *     member and offset)
   * @throws IOException on an I/O error
   */
  public static DebArchive open(Path deb) throws IOException {
    String src = deb.toString();
    try (FileChannel ch = FileChannel.open(deb, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      byte[] magic = readFully(ch, 0, AR_MAGIC.length, src, "ar magic");
      if (!java.util.Arrays.equals(magic, AR_MAGIC)) {
        throw new CorruptStructureException(src, 0, "ar archive", "not an ar archive (no !<arch>)");
      }
      long pos = AR_MAGIC.length;
      ArMember first = readMember(ch, pos, fileSize, src);
      if (first == null || !first.name().equals("debian-binary")) {
        throw new CorruptStructureException(src, pos, "ar member",
            "first member is not debian-binary");
      }
      if (first.size() > 64) {
        throw new CorruptStructureException(src, first.headerOffset(), "debian-binary",
            "too long: " + first.size());
      }
      String version = new String(readFully(ch, first.dataOffset(), (int) first.size(), src,
          "debian-binary"), StandardCharsets.US_ASCII);
      if (!version.startsWith("2.")) {
        throw new UnsupportedFeatureException(deb, "deb format " + version.strip(),
            "only format 2.x is supported");
      }
      pos = next(first);
      ArMember ctl = null;
      ArMember data = null;
      while (pos < fileSize) {
        ArMember m = readMember(ch, pos, fileSize, src);
        if (m == null) {
          break;
        }
        if (ctl == null) {
          if (m.name().startsWith("control.tar")) {
            ctl = m;
          } else if (!m.name().startsWith("_")) {
            throw new CorruptStructureException(src, m.headerOffset(), "ar member",
                "expected control.tar*, found '" + m.name() + "'");
          }
        } else if (m.name().startsWith("data.tar")) {
          data = m;
          break;
        } else if (!m.name().startsWith("_")) {
          throw new CorruptStructureException(src, m.headerOffset(), "ar member",
              "expected data.tar*, found '" + m.name() + "'");
        }
        pos = next(m);
      }
      if (ctl == null) {
        throw new CorruptStructureException(src, pos, "ar archive", "no control.tar member");
      }
      if (data == null) {
        throw new CorruptStructureException(src, pos, "ar archive", "no data.tar member");
      }
      // check the data member's compression is one we can read before going on
      decompressor(data.name(), InputStream.nullInputStream(), deb, data.headerOffset(), true);
      Map<String, DataEntry> entries = new LinkedHashMap<>();
      Map<String, byte[]> members = readControl(ch, ctl, deb, entries);
      byte[] controlBytes = members.get("control");
      if (controlBytes == null) {
        throw new CorruptStructureException(src, ctl.headerOffset(), ctl.name(),
            "no control file in the control archive");
      }
      ControlParagraph control = ControlParagraph.parse(
          new String(controlBytes, StandardCharsets.UTF_8), src + ":" + ctl.name() + ":control");
      for (String f : new String[] {"Package", "Version"}) {
        if (control.get(f) == null || control.get(f).isEmpty()) {
          throw new CorruptStructureException(src, ctl.headerOffset(), "control file",
              "no " + f + " field");
        }
      }
      return new DebArchive(deb, control, members, entries, data.dataOffset(), data.size(), data.name());
    }
  }

  private static long next(ArMember m) {
    // the padding follows the whole member (a BSD name included)
    long raw = m.dataOffset() + m.size() - m.headerOffset() - AR_HEADER;
    return m.dataOffset() + m.size() + (raw & 1);
  }

  private static byte[] readFully(FileChannel ch, long pos, int len, String src, String what)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new CorruptStructureException(src, pos, what, "truncated (wanted " + len
            + " bytes, got " + buf.position() + ")");
      }
    }
    return buf.array();
  }

  private static ArMember readMember(FileChannel ch, long pos, long fileSize, String src)
      throws IOException {
    if (pos + AR_HEADER > fileSize) {
      if (pos == fileSize) {
        return null;
      }
      throw new CorruptStructureException(src, pos, "ar member header", "truncated");
    }
    byte[] h = readFully(ch, pos, AR_HEADER, src, "ar member header");
    if (h[58] != '`' || h[59] != '\n') {
      throw new CorruptStructureException(src, pos, "ar member header", "bad terminator");
    }
    String name = new String(h, 0, 16, StandardCharsets.US_ASCII).stripTrailing();
    long size = parseDecimal(h, 48, 10, src, pos, "ar member size");
    long dataOff = pos + AR_HEADER;
    if (name.startsWith("#1/")) {
      long nameLen = parseDecimal(name.substring(3).getBytes(StandardCharsets.US_ASCII), 0,
          name.length() - 3, src, pos, "BSD ar name length");
      if (nameLen > 256 || nameLen > size) {
        throw new CorruptStructureException(src, pos, "ar member header",
            "bad BSD name length " + nameLen);
      }
      name = new String(readFully(ch, dataOff, (int) nameLen, src, "BSD ar name"),
          StandardCharsets.US_ASCII);
      int nul = name.indexOf('\0');
      if (nul >= 0) {
        name = name.substring(0, nul);
      }
      dataOff += nameLen;
      size -= nameLen;
    } else if (name.endsWith("/") && name.length() > 1) {
      name = name.substring(0, name.length() - 1);
    }
    if (dataOff + size > fileSize) {
      throw new CorruptStructureException(src, pos, "ar member '" + name + "'",
          "size " + size + " runs past the end of the file (" + fileSize + ")");
    }
    return new ArMember(name, dataOff, size, pos);
  }

  private static long parseDecimal(byte[] b, int off, int len, String src, long pos, String what)
      throws CorruptStructureException {
    long v = 0;
    boolean any = false;
    for (int i = off; i < off + len; i++) {
      int c = b[i];
      if (c == ' ') {
        if (any) {
          break;
        }
        continue;
      }
      if (c < '0' || c > '9') {
        throw new CorruptStructureException(src, pos, what, "not a decimal number");
      }
      v = v * 10 + (c - '0');
      any = true;
      if (v > (1L << 50)) {
        throw new CorruptStructureException(src, pos, what, "too large");
      }
    }
    if (!any) {
      throw new CorruptStructureException(src, pos, what, "empty number");
    }
    return v;
  }

  private static InputStream decompressor(String member, InputStream raw, Path deb, long offset,
      boolean probeOnly) throws IOException {
    String src = deb.toString();
    String suffix = member.substring(member.indexOf(".tar") + 4);
    if (probeOnly) {
      switch (suffix) {
        case "", ".gz", ".xz", ".zst", ".bz2":
          return raw;
        default:
          throw new UnsupportedFeatureException(deb, "compression " + member,
              "unsupported member compression '" + suffix + "' at offset " + offset);
      }
    }
    try {
      return switch (suffix) {
        case "" -> raw;
        case ".gz" -> new GZIPInputStream(raw, 65536);
        case ".xz" -> new XZInputStream(raw, 256 * 1024);
        case ".zst" -> new io.airlift.compress.zstd.ZstdInputStream(raw);
        case ".bz2" -> new BZip2CompressorInputStream(raw, true);
        default -> throw new UnsupportedFeatureException(deb, "compression " + member,
            "unsupported member compression '" + suffix + "' at offset " + offset);
      };
    } catch (IOException | RuntimeException e) {
      if (e instanceof UnsupportedFeatureException u) {
        throw u;
      }
      throw new CorruptStructureException(Path.of(src), offset, member, "bad compressed stream: " + e, e);
    }
  }

  private static Map<String, byte[]> readControl(FileChannel ch, ArMember ctl, Path deb,
      Map<String, DataEntry> entries) throws IOException {
    String src = deb.toString();
    Map<String, byte[]> out = new LinkedHashMap<>();
    InputStream raw = new BufferedInputStream(new Bounded(ch, ctl.dataOffset(), ctl.size()));
    long total = 0;
    try (InputStream in = new Guarded(decompressor(ctl.name(), raw, deb, ctl.headerOffset(),
        false), src, ctl.headerOffset(), ctl.name());
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = nextEntry(tar, src, ctl)) != null) {
        String name = e.getName();
        while (name.startsWith("./")) {
          name = name.substring(2);
        }
        if (name.isEmpty() || name.equals(".") || e.isDirectory()) {
          continue;
        }
        if (!e.isFile() || name.contains("/")) {
          throw new CorruptStructureException(src, ctl.headerOffset(), ctl.name(),
              "unexpected control member '" + e.getName() + "'");
        }
        if (e.getSize() < 0 || total + e.getSize() > MAX_CONTROL_BYTES) {
          throw new CorruptStructureException(src, ctl.headerOffset(), ctl.name(),
              "control archive larger than " + MAX_CONTROL_BYTES + " bytes");
        }
        total += e.getSize();
        ByteArrayOutputStream bos = new ByteArrayOutputStream((int) e.getSize());
        byte[] buf = new byte[8192];
        int n;
        long got = 0;
        while ((n = tar.read(buf)) > 0) {
          got += n;
          if (got > e.getSize()) {
            throw new CorruptStructureException(src, ctl.headerOffset(), ctl.name(),
                "member '" + name + "' longer than its header says");
          }
          bos.write(buf, 0, n);
        }
        out.put(name, bos.toByteArray());
        entries.put(name, new DataEntry(name, DataEntry.Type.FILE, e.getMode() & 07777,
            (int) e.getLongUserId(), (int) e.getLongGroupId(),
            e.getUserName() == null ? "" : e.getUserName(),
            e.getGroupName() == null ? "" : e.getGroupName(),
            e.getLastModifiedTime() == null ? Instant.EPOCH
                : e.getLastModifiedTime().toInstant(), e.getSize(), null, 0));
      }
    }
    return out;
  }

  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String src, ArMember m)
      throws IOException {
    try {
      return tar.getNextEntry();
    } catch (CorruptStructureException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptStructureException(Path.of(src), m.headerOffset(), m.name(),
          "malformed tar archive: " + e.getMessage(), e);
    }
  }

  /**
   * The file this package was read from.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * The {@code control} file.
   *
   * @return its paragraph
   */
  public ControlParagraph control() {
    return control;
  }

  /**
   * The package name ({@code Package}).
   *
   * @return the name
   */
  public String name() {
    return control.get("Package");
  }

  /**
   * The version ({@code Version}), as written.
   *
   * @return the version
   */
  public String version() {
    return control.get("Version");
  }

  /**
   * The architecture ({@code Architecture}), or {@code "all"} when absent.
   *
   * @return the architecture
   */
  public String architecture() {
    return control.get("Architecture", "all");
  }

  /**
   * The data archive's member name ({@code data.tar.xz}, ...).
   *
   * @return the name
   */
  public String dataMemberName() {
    return dataName;
  }

  /**
   * The control archive's other members by name ({@code conffiles}, {@code md5sums}, {@code
   * preinst}, {@code postinst}, {@code prerm}, {@code postrm}, {@code config}, {@code templates},
   * {@code shlibs}, {@code symbols}, {@code triggers}, ...), raw bytes.
   *
   * @return the members (unmodifiable)
   */
  public Map<String, byte[]> controlMembers() {
    return members;
  }

  /**
   * The control archive's members' tar headers by name (mode, owner, mtime, size; the path is
   * the member's name), as dpkg copies them into {@code /var/lib/dpkg/info}.
   *
   * @return the entries (unmodifiable), in archive order
   */
  public Map<String, DataEntry> controlMemberEntries() {
    return memberEntries;
  }

  /**
   * Streams the data archive.
   *
   * @param visitor receives each entry
   * @throws IOException on an I/O error or a malformed archive
   */
  public void forEachData(DataVisitor visitor) throws IOException {
    ArMember m = new ArMember(dataName, dataOffset, dataSize, dataOffset - AR_HEADER);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        InputStream in = new Guarded(decompressor(dataName,
            new BufferedInputStream(new Bounded(ch, dataOffset, dataSize), 65536), file,
            m.headerOffset(), false), source, m.headerOffset(), dataName);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = nextEntry(tar, source, m)) != null) {
        DataEntry entry = toEntry(e, m);
        InputStream content = entry.type() == DataEntry.Type.FILE
            ? new FilterInputStream(tar) {
                @Override
                public void close() {}
              }
            : new ByteArrayInputStream(new byte[0]);
        visitor.visit(entry, content);
      }
    }
  }

  private DataEntry toEntry(TarArchiveEntry e, ArMember m) throws CorruptStructureException {
    String path = normalise(e.getName(), m);
    DataEntry.Type type;
    String link = null;
    if (e.isDirectory()) {
      type = DataEntry.Type.DIRECTORY;
    } else if (e.isSymbolicLink()) {
      type = DataEntry.Type.SYMLINK;
      link = e.getLinkName();
      if (link == null || link.isEmpty()) {
        throw new CorruptStructureException(source, m.headerOffset(), m.name(),
            "symbolic link '" + path + "' without a target");
      }
    } else if (e.isLink()) {
      type = DataEntry.Type.HARDLINK;
      link = normalise(e.getLinkName(), m);
    } else if (e.isCharacterDevice()) {
      type = DataEntry.Type.CHAR_DEVICE;
    } else if (e.isBlockDevice()) {
      type = DataEntry.Type.BLOCK_DEVICE;
    } else if (e.isFIFO()) {
      type = DataEntry.Type.FIFO;
    } else if (e.isFile()) {
      type = DataEntry.Type.FILE;
    } else {
      throw new CorruptStructureException(source, m.headerOffset(), m.name(),
          "unsupported tar entry type '" + (char) e.getLinkFlag() + "' for '" + path + "'");
    }
    long device = 0;
    if (type == DataEntry.Type.CHAR_DEVICE || type == DataEntry.Type.BLOCK_DEVICE) {
      long major = e.getDevMajor();
      long minor = e.getDevMinor();
      device = ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xffL) << 12)
          | ((major & ~0xfffL) << 32);
    }
    Instant mtime = e.getLastModifiedTime() == null ? Instant.EPOCH
        : e.getLastModifiedTime().toInstant();
    long size = type == DataEntry.Type.FILE ? e.getSize() : 0;
    return new DataEntry(path, type, e.getMode() & 07777, (int) e.getLongUserId(),
        (int) e.getLongGroupId(), e.getUserName() == null ? "" : e.getUserName(),
        e.getGroupName() == null ? "" : e.getGroupName(), mtime, size, link, device);
  }

  private String normalise(String name, ArMember m) throws CorruptStructureException {
    if (name == null) {
      throw new CorruptStructureException(source, m.headerOffset(), m.name(), "entry without name");
    }
    String[] parts = name.split("/");
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..") || p.indexOf('\0') >= 0 || p.indexOf('\n') >= 0) {
        throw new CorruptStructureException(source, m.headerOffset(), m.name(),
            "unsafe path '" + name + "'");
      }
      sb.append('/').append(p);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  @Override
  public void close() throws IOException {}

  @Override
  public String toString() {
    return name() + "_" + version() + "_" + architecture();
  }

  /** A window of a file channel as a stream. */
  private static final class Bounded extends InputStream {
    private final FileChannel ch;
    private long pos;
    private final long end;

    Bounded(FileChannel ch, long offset, long size) {
      this.ch = ch;
      this.pos = offset;
      this.end = offset + size;
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= end) {
        return -1;
      }
      int want = (int) Math.min(len, end - pos);
      int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
      if (n < 0) {
        return -1;
      }
      pos += n;
      return n;
    }
  }

  /** Turns decompressor failures (runtime exceptions included) into corrupt-structure errors. */
  private static final class Guarded extends FilterInputStream {
    private final String src;
    private final long offset;
    private final String member;

    Guarded(InputStream in, String src, long offset, String member) {
      super(in);
      this.src = src;
      this.offset = offset;
      this.member = member;
    }

    private IOException wrap(Exception e) {
      if (e instanceof CorruptStructureException c) {
        return c;
      }
      return new CorruptStructureException(Path.of(src), offset, member,
          "bad compressed stream: " + e.getMessage(), e);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException | RuntimeException e) {
        throw wrap(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        throw wrap(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } catch (IOException | RuntimeException e) {
        throw wrap(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        in.close();
      } catch (RuntimeException e) {
        throw wrap(e);
      }
    }
  }

}
