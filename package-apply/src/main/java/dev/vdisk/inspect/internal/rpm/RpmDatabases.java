package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.InstalledPackage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guest's rpm database, in whichever of its three formats it is kept (Berkeley DB hash
 * {@code Packages}, NDB {@code Packages.db}, SQLite {@code rpmdb.sqlite}) under
 * {@code /var/lib/rpm} or {@code /usr/lib/sysimage/rpm}.
 *
 * <p>The folder is the one the guest's rpm macros name as {@code %_dbpath} (in
 * {@code /usr/lib/rpm/macros}, {@code /usr/lib/rpm/macros.d/*}, {@code /etc/rpm/macros*}), else
 * {@code /usr/lib/sysimage/rpm} (the default since rpm 4.17 on Fedora and SUSE) and then
 * {@code /var/lib/rpm}; a symbolic link there is followed through the guest's own path
 * resolution. In a folder, the format is chosen as rpm's backend detection does when the
 * configured backend finds no database: its backends are probed in the order sqlite
 * ({@code rpmdb.sqlite}), ndb ({@code Packages.db}), bdb ({@code Packages}).
 */
public final class RpmDatabases {
  private static final Logger LOG = LoggerFactory.getLogger(RpmDatabases.class);
  static final String SYSIMAGE = "/usr/lib/sysimage/rpm";
  static final String VAR = "/var/lib/rpm";
  private static final int MAX_LINKS = 8;

  /** The format of a database file. */
  public enum Format {
    /** {@code rpmdb.sqlite}. */
    SQLITE("rpmdb.sqlite"),
    /** {@code Packages.db}. */
    NDB("Packages.db"),
    /** {@code Packages}. */
    BDB("Packages");

    private final String fileName;

    Format(String fileName) {
      this.fileName = fileName;
    }

    /** The database's file name in the rpm folder. */
    public String fileName() {
      return fileName;
    }
  }

  private RpmDatabases() {}

  /** The packages the database records, or empty when the guest has no rpm database. */
  public static Optional<List<InstalledPackage>> read(GuestFiles guest) throws IOException {
    Set<String> dirs = new LinkedHashSet<>();
    macroDbPath(guest).ifPresent(dirs::add);
    dirs.add(SYSIMAGE);
    dirs.add(VAR);
    for (String dir : dirs) {
      Path folder = follow(guest, dir);
      if (folder == null) {
        continue;
      }
      for (Format format : Format.values()) {
        Path file = folder.resolve(format.fileName());
        if (Files.isRegularFile(file)) {
          LOG.debug("rpm database {} ({}) in {}", file, format, dir);
          return Optional.of(readFile(file, format));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The packages of one database file.
   *
   * @param file the file
   * @param format its format
   * @return the packages, in the database's order
   * @throws IOException on an I/O error or a corrupt database
   */
  public static List<InstalledPackage> readFile(Path file, Format format) throws IOException {
    List<InstalledPackage> out = new ArrayList<>();
    for (RpmHeader h : headers(file, format)) {
      out.add(toPackage(h));
    }
    return out;
  }

  /** The headers of one database file. */
  public static List<RpmHeader> headers(Path file, Format format) throws IOException {
    List<RpmHeader> out = new ArrayList<>();
    switch (format) {
      case SQLITE -> {
        for (SqlitePackages.Row row : SqlitePackages.readAll(file)) {
          out.add(RpmHeader.parse(ByteBuffer.wrap(row.blob()), file, -1));
        }
      }
      case NDB -> {
        for (NdbPackages.Blob blob : NdbPackages.readAll(file)) {
          out.add(RpmHeader.parse(ByteBuffer.wrap(blob.data()), file, blob.offset()));
        }
      }
      case BDB -> {
        for (BerkeleyDbHash.Item item : BerkeleyDbHash.readAll(file)) {
          if (isZeroKey(item.key())) {
            continue; // record 0 holds rpm's next-instance counter, not a header
          }
          out.add(RpmHeader.parse(ByteBuffer.wrap(item.data()), file, item.offset()));
        }
      }
      default -> throw new IllegalStateException(format.toString());
    }
    return out;
  }

  private static boolean isZeroKey(byte[] key) {
    if (key.length != 4) {
      return false;
    }
    return key[0] == 0 && key[1] == 0 && key[2] == 0 && key[3] == 0;
  }

  /**
   * The package a header describes: version {@code [epoch:]version-release}, status
   * {@code installed}.
   *
   * @param h the header
   * @return the package
   * @throws CorruptStructureException when the header has no name
   */
  public static InstalledPackage toPackage(RpmHeader h) throws CorruptStructureException {
    String name = h.string(RpmHeader.TAG_NAME).orElseThrow(() -> new CorruptStructureException(
        (Path) null, -1, "rpm header blob", "no NAME tag"));
    String version = h.string(RpmHeader.TAG_VERSION).orElse("");
    String release = h.string(RpmHeader.TAG_RELEASE).orElse("");
    Integer epoch = h.int32(RpmHeader.TAG_EPOCH).map(Long::intValue).orElse(null);
    StringBuilder full = new StringBuilder();
    if (epoch != null) {
      full.append(Integer.toUnsignedString(epoch)).append(':');
    }
    full.append(version);
    if (!release.isEmpty()) {
      full.append('-').append(release);
    }
    Instant installed = h.int32(RpmHeader.TAG_INSTALLTIME).map(Instant::ofEpochSecond)
        .orElse(null);
    return new InstalledPackage(name, full.toString(), h.string(RpmHeader.TAG_ARCH).orElse(""),
        "installed", true, "rpm", epoch, version, release,
        h.string(RpmHeader.TAG_SOURCERPM).orElse(null),
        h.string(RpmHeader.TAG_VENDOR).orElse(null), installed);
  }

  /** The guest's {@code %_dbpath}, when its macro files define it with a plain path. */
  static Optional<String> macroDbPath(GuestFiles guest) {
    List<Path> files = new ArrayList<>();
    files.add(guest.resolve("/usr/lib/rpm/macros"));
    files.addAll(sorted(guest.resolve("/usr/lib/rpm/macros.d")));
    files.add(guest.resolve("/etc/rpm/macros"));
    files.addAll(sorted(guest.resolve("/etc/rpm")));
    String found = null;
    for (Path f : files) {
      try {
        if (!Files.isRegularFile(f) || Files.size(f) > 1 << 20) {
          continue;
        }
        for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
          String t = line.strip();
          if (t.startsWith("%_dbpath") && t.length() > 8
              && Character.isWhitespace(t.charAt(8))) {
            String value = t.substring(8).strip()
                .replace("%{_usr}", "/usr").replace("%{_var}", "/var")
                .replace("%{_prefix}", "/usr").replace("%{_localstatedir}", "/var");
            if (value.startsWith("/") && !value.contains("%")) {
              found = value;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read rpm macros {}: {}", f, e.toString());
      }
    }
    return Optional.ofNullable(found);
  }

  private static List<Path> sorted(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("macros")
              || dir.getFileName().toString().equals("macros.d"))
          .sorted().toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The folder at a guest path, following symbolic links through the guest; null if none. */
  static Path follow(GuestFiles guest, String guestPath) {
    String current = guestPath;
    for (int i = 0; i < MAX_LINKS; i++) {
      Path p = guest.resolve(current);
      try {
        if (Files.isSymbolicLink(p)) {
          String target = Files.readSymbolicLink(p).toString();
          String base = current.substring(0, Math.max(current.lastIndexOf('/'), 0));
          current = normalize(target.startsWith("/") ? target : base + "/" + target);
          continue;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read link {}: {}", current, e.toString());
        return null;
      }
      return Files.isDirectory(p) ? p : null;
    }
    return null;
  }

  static String normalize(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(part);
      }
    }
    return "/" + String.join("/", parts);
  }
}
