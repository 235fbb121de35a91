package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.testdata.CorpusFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RpmDatabases#read} over a guest tree holding corpus databases at their guest paths:
 * which folder and which format it picks, links followed through the guest, the macro-defined
 * {@code %_dbpath}, no database, and a corrupt one. The packages themselves are checked against
 * rpm in {@code RpmCorpusIT}; here each result must equal the direct read of the file it chose.
 */
class RpmDatabasesTest {
  private static final String SQLITE = "go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite";
  private static final String NDB = "go-rpmdb/pkg/testdata/sle15-bci/Packages.db";
  private static final String BDB = "go-rpmdb/pkg/testdata/libuuid/Packages";

  @TempDir Path root;
  @TempDir Path scratch;

  private Path put(String corpus, String guestPath) throws Exception {
    Path target = root.resolve(guestPath.substring(1));
    Files.createDirectories(target.getParent());
    Path extracted = CorpusFiles.extract(corpus, Files.createTempDirectory(scratch, "c"));
    return Files.move(extracted, target);
  }

  private static List<InstalledPackage> direct(Path file, RpmDatabases.Format format)
      throws Exception {
    return RpmDatabases.readFile(file, format);
  }

  @Test
  void sqliteUnderSysimage() throws Exception {
    Path db = put(SQLITE, "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    Optional<List<InstalledPackage>> read = RpmDatabases.read(GuestFiles.of(root));
    assertTrue(read.isPresent());
    assertEquals(direct(db, RpmDatabases.Format.SQLITE), read.get());
    assertEquals(RpmOracle.sqliteBlobs(db).size(), read.get().size());
    assertTrue(Files.list(db.getParent()).allMatch(p -> p.equals(db)),
        "the guest folder is not written");
  }

  @Test
  void ndbUnderVarLibRpm() throws Exception {
    Path db = put(NDB, "/var/lib/rpm/Packages.db");
    List<InstalledPackage> read = RpmDatabases.read(GuestFiles.of(root)).orElseThrow();
    assertEquals(direct(db, RpmDatabases.Format.NDB), read);
    assertEquals(NdbPackages.readAll(db).size(), read.size());
  }

  @Test
  void bdbUnderVarLibRpm() throws Exception {
    Path db = put(BDB, "/var/lib/rpm/Packages");
    List<InstalledPackage> read = RpmDatabases.read(GuestFiles.of(root)).orElseThrow();
    assertEquals(direct(db, RpmDatabases.Format.BDB), read);
    assertFalse(read.isEmpty());
    for (InstalledPackage p : read) {
      assertEquals("installed", p.status());
      assertTrue(p.installTime() != null && p.vendor() != null && p.source() != null);
    }
  }

  @Test
  void sqliteIsPreferredOverNdbAndBdbInOneFolder() throws Exception {
    Path sqlite = put(SQLITE, "/var/lib/rpm/rpmdb.sqlite");
    put(NDB, "/var/lib/rpm/Packages.db");
    put(BDB, "/var/lib/rpm/Packages");
    assertEquals(direct(sqlite, RpmDatabases.Format.SQLITE),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
    Files.delete(sqlite);
    assertEquals(direct(root.resolve("var/lib/rpm/Packages.db"), RpmDatabases.Format.NDB),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
  }

  @Test
  void sysimageIsPreferredOverVarLibRpm() throws Exception {
    put(BDB, "/var/lib/rpm/Packages");
    Path ndb = put(NDB, "/usr/lib/sysimage/rpm/Packages.db");
    assertEquals(direct(ndb, RpmDatabases.Format.NDB),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
  }

  @Test
  void linksAreFollowedThroughTheGuest() throws Exception {
    Path db = put(NDB, "/srv/rpmdb/Packages.db");
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/rpm"), Path.of("/srv/rpmdb"));
    assertEquals(direct(db, RpmDatabases.Format.NDB),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
    Files.delete(root.resolve("var/lib/rpm"));
    Files.createSymbolicLink(root.resolve("var/lib/rpm"), Path.of("../../srv/rpmdb"));
    assertEquals(direct(db, RpmDatabases.Format.NDB),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
  }

  @Test
  void macroDbPathIsUsedFirst() throws Exception {
    put(BDB, "/var/lib/rpm/Packages");
    Path ndb = put(NDB, "/opt/rpmdb/Packages.db");
    Files.createDirectories(root.resolve("etc/rpm"));
    Files.writeString(root.resolve("etc/rpm/macros.dbpath"), "# local\n%_dbpath /opt/rpmdb\n");
    assertEquals(Optional.of("/opt/rpmdb"), RpmDatabases.macroDbPath(GuestFiles.of(root)));
    assertEquals(direct(ndb, RpmDatabases.Format.NDB),
        RpmDatabases.read(GuestFiles.of(root)).orElseThrow());
  }

  @Test
  void noDatabase() throws Exception {
    Files.createDirectories(root.resolve("var/lib/rpm"));
    Files.createDirectories(root.resolve("etc"));
    assertEquals(Optional.empty(), RpmDatabases.read(GuestFiles.of(root)));
  }

  @Test
  void truncatedNdbIsATypedError() throws Exception {
    Path db = put(NDB, "/var/lib/rpm/Packages.db");
    byte[] bytes = Files.readAllBytes(db);
    Files.write(db, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> RpmDatabases.read(GuestFiles.of(root)));
    assertTrue(e.getMessage().contains("Packages.db"), e.getMessage());
    assertTrue(e.structure().startsWith("ndb"), e.structure());
  }

  @Test
  void corruptSqliteIsATypedError() throws Exception {
    Path db = root.resolve("usr/lib/sysimage/rpm/rpmdb.sqlite");
    Files.createDirectories(db.getParent());
    Files.write(db, new byte[8192]);
    assertThrows(CorruptStructureException.class, () -> RpmDatabases.read(GuestFiles.of(root)));
  }
}
