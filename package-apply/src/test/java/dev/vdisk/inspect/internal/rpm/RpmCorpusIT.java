package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rpm databases of the shared corpus, read by our readers and by rpm 4.18 itself
 * ({@code rpm -qa --dbpath}, on a copy named as rpm expects): name, epoch, version, release,
 * arch, vendor, install time and source rpm must agree line for line. Debian's rpm has no NDB
 * backend, so the NDB database is compared with the {@code packages.csv} its corpus carries, and
 * its header blobs are additionally re-housed in an rpm-made SQLite database for rpm to list. The
 * Berkeley DB reader is further checked on databases {@code db5.3_load} builds from real header
 * blobs in both byte orders and with small pages (long overflow chains, many buckets).
 */
class RpmCorpusIT {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "go-rpmdb/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite, rpmdb.sqlite, SQLITE",
      "go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite, rpmdb.sqlite, SQLITE",
      "go-rpmdb/pkg/testdata/libuuid/Packages, Packages, BDB",
      "osv-scalibr/extractor/filesystem/os/rpm/testdata/Packages_epoch, Packages, BDB",
      "snyk-rpm-parser/test/fixtures/rpm4_empty, Packages, BDB"})
  void equalsRpmQa(String corpus, String name, RpmDatabases.Format format) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("db"));
    Path extracted = CorpusFiles.extract(corpus, tmp);
    Path db = Files.move(extracted, dir.resolve(name));
    List<InstalledPackage> ours = RpmDatabases.readFile(db, format);
    List<String> rpm = RpmOracle.rpmQa(dir);
    System.out.println(corpus + ": " + ours.size() + " packages, rpm lists " + rpm.size());
    assertEquals(rpm, RpmOracle.ours(ours), corpus);
    for (InstalledPackage p : ours) {
      assertTrue(p.installed());
      assertEquals("rpm", p.format());
      assertEquals((p.epoch() == null ? "" : p.epoch() + ":") + p.upstreamVersion() + "-"
          + p.release(), p.version());
    }
  }

  /**
   * NDB packages against the corpus's {@code packages.csv} (epoch, name, version, release, arch,
   * source rpm, size, license, vendor, summary). The corpus pairs the first go-rpmdb version of
   * {@code Packages.db} (commit 7e39c901) with a {@code packages.csv} written later by
   * {@code rpm -qa} on an updated image (commit cee58d9a): 19 packages were upgraded and
   * {@code skelcd-EULA-bci} added since. So every package name must be in the csv, every package
   * whose name, version and release the csv lists must equal its row in all fields, and those
   * exact matches must be the majority of the csv rows whose version did not change.
   */
  @Test
  void ndbEqualsPackagesCsv() throws Exception {
    String base = "go-rpmdb/pkg/testdata/sle15-bci/";
    Path db = CorpusFiles.extract(base + "Packages.db", tmp);
    List<String[]> csv = RpmOracle.csv(ProjectPaths.corpus().resolve(base + "packages.csv"));
    List<RpmHeader> headers = RpmDatabases.headers(db, RpmDatabases.Format.NDB);
    System.out.println("sle15-bci NDB: " + headers.size() + " packages, csv " + csv.size());
    java.util.Map<String, String> expected = new java.util.TreeMap<>();
    for (String[] row : csv) {
      // EPOCH¶NAME¶VERSION¶RELEASE¶ARCH¶SOURCERPM¶SIZE¶LICENSE¶VENDOR¶SUMMARY¶SIGMD5
      expected.put(row[1], String.join("|", row[0], row[1], row[2], row[3], row[4], row[5],
          row[6], row[7], row[8], row[9]));
    }
    java.util.Map<String, String> actual = new java.util.TreeMap<>();
    for (RpmHeader h : headers) {
      InstalledPackage p = RpmDatabases.toPackage(h);
      actual.put(p.name(), String.join("|", p.epoch() == null ? "" : p.epoch().toString(),
          p.name(), p.upstreamVersion(), p.release(), p.arch(),
          p.source() == null ? "" : p.source(),
          h.number(RpmHeader.TAG_SIZE).map(String::valueOf).orElse(""),
          h.string(RpmHeader.TAG_LICENSE).orElse(""), p.vendor() == null ? "" : p.vendor(),
          h.string(RpmHeader.TAG_SUMMARY).orElse("")));
    }
    assertEquals(headers.size(), actual.size(), "package names are unique");
    int same = 0;
    int upgraded = 0;
    for (var e : actual.entrySet()) {
      String row = expected.get(e.getKey());
      assertTrue(row != null, e.getKey() + " not in packages.csv");
      String[] ours = e.getValue().split("\\|", -1);
      String[] theirs = row.split("\\|", -1);
      if (ours[2].equals(theirs[2]) && ours[3].equals(theirs[3])) {
        assertEquals(row, e.getValue(), e.getKey());
        same++;
      } else {
        upgraded++;
      }
    }
    System.out.println("sle15-bci NDB vs packages.csv: " + same + " equal, " + upgraded
        + " at another version in the csv");
    assertTrue(same >= 10, "too few packages match the csv: " + same);
  }

  @Test
  void ndbHeadersAsRpmListsThem() throws Exception {
    Path db = CorpusFiles.extract("go-rpmdb/pkg/testdata/sle15-bci/Packages.db", tmp);
    List<byte[]> blobs = NdbPackages.readAll(db).stream().map(NdbPackages.Blob::data)
        .collect(Collectors.toList());
    Path dir = tmp.resolve("sqlite");
    RpmOracle.sqliteDb(dir, blobs);
    assertEquals(RpmOracle.rpmQa(dir), RpmOracle.ours(RpmDatabases.readFile(db,
        RpmDatabases.Format.NDB)));
  }

  @Test
  void standaloneHeaderBlobAsRpmListsIt() throws Exception {
    Path blob = CorpusFiles.extract("claircore/internal/rpm/rpmdb/testdata/package.header", tmp);
    byte[] bytes = Files.readAllBytes(blob);
    RpmHeader h = RpmHeader.parse(bytes, blob, 0);
    Path dir = tmp.resolve("sqlite");
    RpmOracle.sqliteDb(dir, List.of(bytes));
    assertEquals(RpmOracle.rpmQa(dir), RpmOracle.ours(List.of(RpmDatabases.toPackage(h))));
    assertEquals(RpmOracle.rpmQa(dir),
        RpmOracle.ours(RpmDatabases.readFile(dir.resolve("rpmdb.sqlite"),
            RpmDatabases.Format.SQLITE)));
  }

  @Test
  void ndbIndexIsNotAPackageStore() throws Exception {
    Path index = CorpusFiles.extract("claircore/rpm/ndb/testdata/Index.db", tmp);
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> NdbPackages.readAll(index));
    assertEquals("ndb header", e.structure());
  }

  @ParameterizedTest(name = "page size {0}")
  @ValueSource(ints = {512, 4096, 65536})
  void dbLoadBuiltBerkeleyDbBothByteOrders(int pageSize) throws Exception {
    Path sqlite = CorpusFiles.extract("go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite", tmp);
    List<byte[]> blobs = RpmOracle.sqliteBlobs(sqlite);
    assertFalse(blobs.isEmpty());
    for (boolean big : new boolean[] {false, true}) {
      Path dir = tmp.resolve((big ? "be" : "le") + pageSize);
      Path db = RpmOracle.bdb(dir, blobs, pageSize, big);
      BerkeleyDbHash.HashMeta meta = BerkeleyDbHash.HashMeta.parse(
          java.nio.ByteBuffer.wrap(Files.readAllBytes(db)), db);
      assertEquals(big ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN,
          meta.order());
      assertEquals(pageSize, meta.pageSize());
      List<InstalledPackage> ours = RpmDatabases.readFile(db, RpmDatabases.Format.BDB);
      assertEquals(blobs.size(), ours.size());
      assertEquals(RpmOracle.rpmQa(dir), RpmOracle.ours(ours), dir.toString());
    }
  }

  /** Our Berkeley DB reader's key/data pairs equal what {@code db5.3_dump -p} prints. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"go-rpmdb/pkg/testdata/libuuid/Packages",
      "osv-scalibr/extractor/filesystem/os/rpm/testdata/Packages_epoch",
      "snyk-rpm-parser/test/fixtures/rpm4_empty"})
  void berkeleyDbPairsEqualDbDump(String corpus) throws Exception {
    Path db = CorpusFiles.extract(corpus, tmp);
    assertEquals(RpmOracle.dbDump(db), RpmOracle.items(BerkeleyDbHash.readAll(db)));
  }

  /**
   * Page checksums (db_load {@code chksum=1}) move every page's index and overflow data from byte
   * 26 to byte 32 (2 bytes of padding, a 4-byte checksum): read as db5.3_dump reads them. rpm's bdb_ro refuses such databases ("bdb_ro error reading Packages
   * database"), so db5.3_dump is the only oracle here.
   */
  @Test
  void checksummedBerkeleyDbEqualsDbDump() throws Exception {
    Path sqlite = CorpusFiles.extract("go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite", tmp);
    List<byte[]> blobs = RpmOracle.sqliteBlobs(sqlite);
    Path db = RpmOracle.bdb(tmp.resolve("ck"), blobs, 512, false, true);
    assertTrue(BerkeleyDbHash.HashMeta.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(db)),
        db).checksummed());
    List<BerkeleyDbHash.Item> items = BerkeleyDbHash.readAll(db);
    assertEquals(blobs.size(), items.size());
    assertEquals(RpmOracle.dbDump(db), RpmOracle.items(items));
  }
}
