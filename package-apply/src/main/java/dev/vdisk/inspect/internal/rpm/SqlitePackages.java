package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * rpm's SQLite database {@code rpmdb.sqlite} (rpm 4.16 and later): the {@code Packages} table
 * holds one header blob per row in {@code blob}, keyed by {@code hnum}. The file (and its
 * {@code -wal} journal, which holds transactions not yet checkpointed) is copied to a temporary
 * folder first, so the guest is never written, and opened read-only; the copy is deleted after.
 */
public final class SqlitePackages {
  /** One package row. */
  public record Row(long hnum, byte[] blob) {}

  private SqlitePackages() {}

  /**
   * Every row of the {@code Packages} table, in {@code hnum} order.
   *
   * @param file the {@code rpmdb.sqlite} file
   * @return the rows
   * @throws IOException on an I/O error or when SQLite cannot read the file
   */
  public static List<Row> readAll(Path file) throws IOException {
    Path dir = Files.createTempDirectory("vdisk-rpmdb");
    try {
      Path copy = dir.resolve("rpmdb.sqlite");
      copy(file, copy);
      Path wal = file.resolveSibling(file.getFileName() + "-wal");
      if (Files.isRegularFile(wal)) {
        copy(wal, dir.resolve("rpmdb.sqlite-wal"));
      }
      Properties props = new Properties();
      props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
      List<Row> out = new ArrayList<>();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy, props);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT hnum, blob FROM Packages ORDER BY hnum")) {
        while (rs.next()) {
          byte[] blob = rs.getBytes(2);
          out.add(new Row(rs.getLong(1), blob == null ? new byte[0] : blob));
        }
      } catch (SQLException e) {
        throw new CorruptStructureException(file, -1, "rpm SQLite database",
            "SQLite cannot read the Packages table: " + e.getMessage(), e);
      }
      return out;
    } finally {
      deleteTree(dir);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (InputStream in = Files.newInputStream(from)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
