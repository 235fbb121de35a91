package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vdisk.inspect.InstalledPackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
