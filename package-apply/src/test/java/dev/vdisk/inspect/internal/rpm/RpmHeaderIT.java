package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vdisk.inspect.InstalledPackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header blobs built by {@link HeaderBlobs} (the fuzz seeds' source) as rpm lists them from an
 * rpm-made SQLite database and from a db5.3_load-made Berkeley DB: epoch present and absent, no
 * arch and no vendor (as gpg-pubkey headers have), and a dribble entry after the immutable region
 * that replaces the region's value.
 */
class RpmHeaderIT {
  @TempDir Path tmp;

  static List<byte[]> blobs() {
    List<byte[]> blobs = new ArrayList<>();
    blobs.add(HeaderBlobs.pkg("alpha", null, "1.0", "1.el9", "x86_64", "Vendor A", 1700000000,
        List.of()));
    blobs.add(HeaderBlobs.pkg("beta", 3, "2.5.1", "0.rc1", "noarch", "Vendor B", 1600000000,
        List.of()));
    blobs.add(HeaderBlobs.pkg("gpg-pubkey", null, "deadbeef", "5f000000", null, null,
        1500000000, List.of()));
    blobs.add(HeaderBlobs.pkg("gamma", 0, "7", "1", "aarch64", "V\u00e9ndor \u00dc", 1400000000,
        List.of(HeaderBlobs.Tag.int32(RpmHeader.TAG_INSTALLTIME, 1999999999),
            HeaderBlobs.Tag.string(RpmHeader.TAG_VENDOR, "Dribble Vendor"))));
    return blobs;
  }

  @Test
  void rpmListsBuiltHeadersAsWeDo() throws Exception {
    List<byte[]> blobs = blobs();
    List<InstalledPackage> ours = new ArrayList<>();
    for (byte[] b : blobs) {
      ours.add(RpmDatabases.toPackage(RpmHeader.parse(b, null, -1)));
    }
    Path sqlite = tmp.resolve("sqlite");
    RpmOracle.sqliteDb(sqlite, blobs);
    assertEquals(RpmOracle.rpmQa(sqlite), RpmOracle.ours(ours));
    Path bdb = tmp.resolve("bdb");
    RpmOracle.bdb(bdb, blobs, 512, true);
    assertEquals(RpmOracle.rpmQa(bdb), RpmOracle.ours(ours));
    assertEquals(RpmOracle.ours(ours), RpmOracle.ours(RpmDatabases.readFile(
        bdb.resolve("Packages"), RpmDatabases.Format.BDB)));
  }

  /**
   * Rows still only in the SQLite write-ahead log (no checkpoint yet, as in a guest image taken
   * while rpm ran or before its last connection closed) are read: the {@code -wal} file is copied
   * with the database, and rpm on the same copy lists the same packages.
   */
  @Test
  void rowsOnlyInTheWriteAheadLogAreRead() throws Exception {
    List<byte[]> blobs = blobs();
    Path live = tmp.resolve("live");
    RpmOracle.sqliteDb(live, blobs.subList(0, 1));
    Path image = Files.createDirectories(tmp.resolve("image"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live.resolve("rpmdb.sqlite"))) {
      try (var s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA wal_autocheckpoint=0");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO Packages(blob) VALUES (?)")) {
        for (byte[] b : blobs.subList(1, blobs.size())) {
          ps.setBytes(1, b);
          ps.executeUpdate();
        }
      }
      Path wal = live.resolve("rpmdb.sqlite-wal");
      org.junit.jupiter.api.Assertions.assertTrue(Files.size(wal) > 0, "rows are in the WAL");
      Files.copy(live.resolve("rpmdb.sqlite"), image.resolve("rpmdb.sqlite"));
      Files.copy(wal, image.resolve("rpmdb.sqlite-wal"));
    }
    List<InstalledPackage> ours = RpmDatabases.readFile(image.resolve("rpmdb.sqlite"),
        RpmDatabases.Format.SQLITE);
    assertEquals(blobs.size(), ours.size());
    assertEquals(RpmOracle.rpmQa(image), RpmOracle.ours(ours));
  }
}
