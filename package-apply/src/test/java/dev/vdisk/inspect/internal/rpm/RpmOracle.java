package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.testdata.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** rpm, SQLite and Berkeley DB's db_load as oracles and fixture makers for the rpm tests. */
final class RpmOracle {
  /** The query format both sides print. */
  static final String QF =
      "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{INSTALLTIME}"
          + "\\t%{SOURCERPM}\\n";

  private RpmOracle() {}

  /** What {@code rpm -qa --dbpath dir} lists, one line per package, sorted. */
  static List<String> rpmQa(Path dbDir) {
    Oracles.require("rpm", "rpm");
    Oracles.Result r = Oracles.run(null, java.util.Map.of("HOME", dbDir.toString()), "rpm",
        "-qa", "--dbpath", dbDir.toString(), "--qf", QF);
    assertEquals(0, r.exitCode(), r.describe());
    return r.stdout().lines().sorted().collect(Collectors.toList());
  }

  /** Our packages, printed as {@link #QF} prints them, sorted. */
  static List<String> ours(List<InstalledPackage> packages) {
    return packages.stream().map(RpmOracle::line).sorted().collect(Collectors.toList());
  }

  static String line(InstalledPackage p) {
    return String.join("\t", p.name(), p.epoch() == null ? "(none)" : p.epoch().toString(),
        p.upstreamVersion(), p.release(), p.arch().isEmpty() ? "(none)" : p.arch(),
        p.vendor() == null ? "(none)" : p.vendor(),
        p.installTime() == null ? "(none)" : Long.toString(p.installTime().getEpochSecond()),
        p.source() == null ? "(none)" : p.source());
  }

  /** The header blobs of an rpm SQLite database, in hnum order (read with SQLite itself). */
  static List<byte[]> sqliteBlobs(Path db) throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT blob FROM Packages ORDER BY hnum")) {
      while (rs.next()) {
        out.add(rs.getBytes(1));
      }
    }
    return out;
  }

  /** An empty SQLite rpmdb made by {@code rpm --initdb}, then the blobs inserted with SQLite. */
  static Path sqliteDb(Path dir, List<byte[]> blobs) throws IOException, SQLException {
    Oracles.require("rpm", "rpm");
    Files.createDirectories(dir);
    Oracles.runOk("rpm", "--dbpath", dir.toString(), "--initdb");
    Path db = dir.resolve("rpmdb.sqlite");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        PreparedStatement ps = c.prepareStatement("INSERT INTO Packages(blob) VALUES (?)")) {
      for (byte[] blob : blobs) {
        ps.setBytes(1, blob);
        ps.executeUpdate();
      }
    }
    return db;
  }

  /**
   * A Berkeley DB hash {@code Packages} made by {@code db5.3_load} from the blobs, keyed by
   * instance number 1.. in the database's byte order, as rpm's bdb backend keys it.
   */
  static Path bdb(Path dir, List<byte[]> blobs, int pageSize, boolean bigEndian)
      throws IOException {
    return bdb(dir, blobs, pageSize, bigEndian, false);
  }

  /** As {@link #bdb(Path, List, int, boolean)}, optionally with page checksums. */
  static Path bdb(Path dir, List<byte[]> blobs, int pageSize, boolean bigEndian,
      boolean checksums) throws IOException {
    Path tool = Oracles.require("db5.3_load", "db5.3-util");
    Files.createDirectories(dir);
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder();
    head.append("VERSION=3\nformat=print\ntype=hash\n")
        .append("db_pagesize=").append(pageSize).append('\n')
        .append("db_lorder=").append(bigEndian ? 4321 : 1234).append('\n')
        .append(checksums ? "chksum=1\n" : "")
        .append("HEADER=END\n");
    dump.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    int key = 1;
    for (byte[] blob : blobs) {
      ByteBuffer k = ByteBuffer.allocate(4)
          .order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
      k.putInt(key++);
      printable(dump, k.array());
      printable(dump, blob);
    }
    dump.writeBytes("DATA=END\n".getBytes(StandardCharsets.US_ASCII));
    Path input = dir.resolve("Packages.dump");
    Files.write(input, dump.toByteArray());
    Path db = dir.resolve("Packages");
    Oracles.runOk(tool.toString(), "-f", input.toString(), db.toString());
    Files.delete(input);
    return db;
  }

  private static void printable(ByteArrayOutputStream out, byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2 + 2).append(' ');
    for (byte b : bytes) {
      int x = b & 0xff;
      if (x >= 0x20 && x < 0x7f && x != '\\') {
        sb.append((char) x);
      } else {
        sb.append('\\').append(Character.forDigit(x >> 4, 16)).append(Character.forDigit(x & 15,
            16));
      }
    }
    out.writeBytes(sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** The NDB corpus's {@code packages.csv} rows: fields split on the pilcrow. */
  static List<String[]> csv(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isEmpty()).map(l -> l.split("\u00b6", -1))
        .collect(Collectors.toList());
  }

  static String show(String[] row) {
    return Arrays.toString(row);
  }

  /**
   * The key/data pairs {@code db5.3_dump -p} prints for a Berkeley DB file, each as
   * {@code hex(key):hex(data)}, sorted.
   */
  static List<String> dbDump(Path db) {
    Path tool = Oracles.require("db5.3_dump", "db5.3-util");
    Oracles.Result r = Oracles.run(tool.toString(), "-p", db.toString());
    assertEquals(0, r.exitCode(), r.describe());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    int start = lines.indexOf("HEADER=END") + 1;
    List<String> out = new ArrayList<>();
    for (int i = start; i + 1 < lines.size() && lines.get(i).startsWith(" "); i += 2) {
      out.add(hex(unprint(lines.get(i))) + ":" + hex(unprint(lines.get(i + 1))));
    }
    out.sort(null);
    return out;
  }

  /** Our reader's pairs, as {@link #dbDump} prints them. */
  static List<String> items(List<BerkeleyDbHash.Item> items) {
    return items.stream().map(i -> hex(i.key()) + ":" + hex(i.data())).sorted()
        .collect(Collectors.toList());
  }

  private static byte[] unprint(String line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\') {
        if (line.charAt(i + 1) == '\\') {
          out.write('\\');
          i++;
        } else {
          out.write(Integer.parseInt(line.substring(i + 1, i + 3), 16));
          i += 2;
        }
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
