package dev.vdisk.inspect.internal.rpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.InstalledPackage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers' validation on damaged inputs (each a typed error naming the structure) and on the
 * fuzz seeds (the db5.3_load-made Berkeley DB seeds and the built NDB seeds give back the header
 * blobs they were made from). rpm's agreement on the same blobs is checked in
 * {@code RpmHeaderIT}.
 */
class RpmReadersTest {
  @TempDir Path tmp;

  private static byte[] seed(String path) throws IOException {
    try (InputStream in = RpmReadersTest.class.getResourceAsStream("RpmFuzzTestInputs/" + path)) {
      return in.readAllBytes();
    }
  }

  @Test
  void builtHeaderConvertsToPackage() throws Exception {
    List<byte[]> blobs = RpmHeaderIT.blobs();
    InstalledPackage beta = RpmDatabases.toPackage(RpmHeader.parse(blobs.get(1), null, -1));
    assertEquals("3:2.5.1-0.rc1", beta.version());
    assertEquals(3, beta.epoch());
    InstalledPackage key = RpmDatabases.toPackage(RpmHeader.parse(blobs.get(2), null, -1));
    assertEquals("", key.arch());
    assertEquals(null, key.vendor());
    InstalledPackage gamma = RpmDatabases.toPackage(RpmHeader.parse(blobs.get(3), null, -1));
    assertEquals("Dribble Vendor", gamma.vendor(), "dribble replaces the region's value");
    assertEquals(1999999999L, gamma.installTime().getEpochSecond());
    RpmHeader h = RpmHeader.parse(blobs.get(0), null, -1);
    assertEquals(List.of("a", "b"), h.strings(1117));
    assertEquals(0100644L, h.number(1030).orElseThrow());
  }

  @Test
  void seedsReadBack() throws Exception {
    List<byte[]> blobs = RpmHeaderIT.blobs();
    Path le = tmp.resolve("le");
    Files.write(le, seed("bdb/db5-hash-le-512"));
    List<BerkeleyDbHash.Item> items = BerkeleyDbHash.readAll(le);
    assertEquals(2, items.size());
    assertTrue(items.stream().anyMatch(i -> java.util.Arrays.equals(i.data(), blobs.get(0))));
    assertTrue(items.stream().anyMatch(i -> java.util.Arrays.equals(i.data(), blobs.get(1))));
    Path be = tmp.resolve("be");
    Files.write(be, seed("bdb/db5-hash-be-512"));
    assertEquals(2, BerkeleyDbHash.readAll(be).size());
    Path empty = tmp.resolve("empty");
    Files.write(empty, seed("bdb/db5-hash-empty-512"));
    assertEquals(0, BerkeleyDbHash.readAll(empty).size());
    Path ndb = tmp.resolve("ndb");
    Files.write(ndb, seed("ndb/two-packages"));
    List<NdbPackages.Blob> read = NdbPackages.readAll(ndb);
    assertEquals(2, read.size());
    assertArrayEquals(blobs.get(0), read.get(0).data());
    assertArrayEquals(blobs.get(1), read.get(1).data());
  }

  private static void corruptHeader(byte[] blob, String detailPart) {
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> RpmHeader.parse(blob, null, 0));
    assertEquals("rpm header blob", e.structure());
    assertTrue(e.detail().contains(detailPart), e.detail());
  }

  @Test
  void damagedHeadersAreTypedErrors() {
    byte[] good = RpmHeaderIT.blobs().get(0);
    corruptHeader(java.util.Arrays.copyOf(good, good.length - 1), "make");
    corruptHeader(new byte[4], "shorter");
    byte[] b = good.clone();
    ByteBuffer.wrap(b).putInt(0, 0x10000);
    corruptHeader(b, "index entry count");
    b = good.clone();
    ByteBuffer.wrap(b).putInt(8 + 16 + 4, 42); // type of the first tag after the region
    corruptHeader(b, "type 42");
    b = good.clone();
    ByteBuffer.wrap(b).putInt(8 + 16 + 8, 0x7ffffff0); // its offset
    corruptHeader(b, "outside the data store");
    b = good.clone();
    ByteBuffer.wrap(b).putInt(8 + 8, 0x7ffffff0); // region trailer offset
    corruptHeader(b, "region trailer offset");
    b = RpmHeaderIT.blobs().get(3).clone();
    b[b.length - 1] = 'x'; // the NUL ending the last dribble string (VENDOR)
    corruptHeader(b, "runs past the data store");
  }

  @Test
  void ndbChecksumAndSlotsAreChecked() throws Exception {
    byte[] good = seed("ndb/two-packages");
    Path f = tmp.resolve("Packages.db");
    byte[] b = good.clone();
    b[4096 + 40] ^= 1; // inside the first blob
    Files.write(f, b);
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> NdbPackages.readAll(f));
    assertEquals("ndb blob trailer", e.structure());
    assertTrue(e.detail().contains("Adler-32"), e.detail());
    b = good.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32 + 8, 0x7fffffff);
    Files.write(f, b);
    e = assertThrows(CorruptStructureException.class, () -> NdbPackages.readAll(f));
    assertEquals("ndb slot", e.structure());
    b = good.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(48 + 4, 1); // two slots for 1
    Files.write(f, b);
    e = assertThrows(CorruptStructureException.class, () -> NdbPackages.readAll(f));
    assertTrue(e.detail().contains("two slots"), e.detail());
    b = good.clone();
    ByteBuffer s = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    s.putInt(48 + 8, s.getInt(32 + 8) + 1); // second blob starts inside the first
    Files.write(f, b);
    e = assertThrows(CorruptStructureException.class, () -> NdbPackages.readAll(f));
    assertTrue(e.detail().contains("overlaps"), e.detail());
  }

  @Test
  void bdbLoopsAndBadPagesAreChecked() throws Exception {
    byte[] good = seed("bdb/db5-hash-le-512");
    Path f = tmp.resolve("Packages");
    BerkeleyDbHash.HashMeta meta = BerkeleyDbHash.HashMeta.parse(ByteBuffer.wrap(good), f);
    int pages = good.length / 512;
    // every bucket page's next pointer to itself: a loop
    byte[] b = good.clone();
    int loops = 0;
    for (int p = 1; p < pages; p++) {
      if (b[p * 512 + 25] == BerkeleyDbHash.P_HASH) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p * 512 + 16, p);
        loops++;
      }
    }
    assertTrue(loops > 0, "the seed has bucket pages");
    Files.write(f, b);
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> BerkeleyDbHash.readAll(f));
    assertTrue(e.structure().startsWith("Berkeley DB"), e.structure());
    // the bucket table naming a page past the end
    b = good.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(96, 1 << 20);
    Files.write(f, b);
    assertThrows(CorruptStructureException.class, () -> BerkeleyDbHash.readAll(f));
    // a bad magic
    b = good.clone();
    b[12] = 0;
    Files.write(f, b);
    e = assertThrows(CorruptStructureException.class, () -> BerkeleyDbHash.readAll(f));
    assertEquals("Berkeley DB hash metadata page", e.structure());
    assertEquals(512, meta.pageSize());
  }
}
