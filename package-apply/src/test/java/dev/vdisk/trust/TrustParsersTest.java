package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.trust.internal.Clearsigned;
import dev.vdisk.trust.internal.PackagesIndex;
import dev.vdisk.trust.internal.ReleaseFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Release, Packages and cleartext readers on their own: dates, bounds, malformed input. */
class TrustParsersTest {
  private static final Logger LOG = LoggerFactory.getLogger(TrustParsersTest.class);

  @Test
  void releaseDatesInTheFormsAptWrites() throws CorruptStructureException {
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    LOG.info("TrustParsersTest seed {}", seed);
    Random rnd = new Random(seed);
    DateTimeFormatter rfc = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss", Locale.ROOT);
    for (int i = 0; i < 500; i++) {
      Instant t = Instant.ofEpochSecond(rnd.nextInt(Integer.MAX_VALUE));
      int offMinutes = (rnd.nextInt(27) - 13) * 60 + (rnd.nextBoolean() ? 30 : 0);
      ZoneOffset off = ZoneOffset.ofTotalSeconds(offMinutes * 60);
      String zone = offMinutes == 0 && rnd.nextBoolean() ? (rnd.nextBoolean() ? "UTC" : "GMT")
          : String.format("%s%02d%02d", offMinutes < 0 ? "-" : "+", Math.abs(offMinutes) / 60,
              Math.abs(offMinutes) % 60);
      String text = ZonedDateTime.ofInstant(t, off).format(rfc) + " " + zone;
      if (rnd.nextInt(4) == 0) {
        text = text.substring(5); // without the day name
      }
      assertEquals(t, ReleaseFile.parseDate(text, "test", "Date"), text + " seed " + seed);
    }
    for (String bad : new String[] {"", "yesterday", "Sat, 32 Nov 2023 09:31:06 UTC",
        "Sat, 11 Foo 2023 09:31:06 UTC", "Sat, 11 Nov 2023 09:31 UTC",
        "Sat, 11 Nov 2023 09:31:06 CEST", "Sat, 11 Nov 23 09:31:06 UTC"}) {
      assertThrows(CorruptStructureException.class,
          () -> ReleaseFile.parseDate(bad, "test", "Date"), bad);
    }
  }

  @Test
  void releaseEntriesRoundTripAndDateProblems() throws CorruptStructureException {
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    LOG.info("TrustParsersTest seed {}", seed);
    Random rnd = new Random(seed);
    Map<String, ReleaseFile.Entry> want = new LinkedHashMap<>();
    StringBuilder sb = new StringBuilder("Origin: x\nDate: Sat, 11 Nov 2023 09:31:06 UTC\n"
        + "Valid-Until: Sat, 18 Nov 2023 09:31:06 UTC\nSHA256:\n");
    for (int i = 0; i < 200; i++) {
      byte[] h = new byte[32];
      rnd.nextBytes(h);
      String path = "main/binary-" + i + "/Packages" + (i % 3 == 0 ? ".xz" : "");
      long size = rnd.nextLong() & 0xffffffffffL;
      want.put(path, new ReleaseFile.Entry(HexFormat.of().formatHex(h), size, path));
      sb.append(' ').append(HexFormat.of().withUpperCase().formatHex(h))
          .append(" ".repeat(1 + rnd.nextInt(12))).append(size).append(' ').append(path)
          .append('\n');
    }
    ReleaseFile r = ReleaseFile.parse(sb.toString(), "test");
    assertEquals(want, r.sha256(), "seed " + seed);
    Instant date = Instant.parse("2023-11-11T09:31:06Z");
    assertEquals(date, r.date());
    assertTrue(r.dateProblems(date.plus(Duration.ofDays(1)), false).isEmpty());
    assertTrue(r.dateProblems(date.plus(Duration.ofDays(8)), false).get(0)
        .contains("Valid-Until"));
    assertTrue(r.dateProblems(date.plus(Duration.ofDays(8)), true).isEmpty());
    assertTrue(r.dateProblems(date.minus(Duration.ofHours(1)), false).get(0)
        .contains("in the future"));
    assertThrows(CorruptStructureException.class,
        () -> ReleaseFile.parse("SHA256:\n abc 12 main/Packages\n", "test"));
  }

  @Test
  void packagesIndexIsBounded() {
    StringBuilder big = new StringBuilder("Package: x\nDescription: y\n");
    while (big.length() <= PackagesIndex.MAX_PARAGRAPH_BYTES) {
      big.append(" ").append("z".repeat(1000)).append('\n');
    }
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> PackagesIndex.read(new ByteArrayInputStream(
            big.toString().getBytes(StandardCharsets.UTF_8)), "Packages"));
    assertTrue(e.getMessage().contains("Packages"), e.getMessage());
    assertThrows(CorruptStructureException.class,
        () -> PackagesIndex.read(new ByteArrayInputStream(
            "Package: x\nSize: -1\nSHA256: 00\n".getBytes(StandardCharsets.UTF_8)), "P"));
  }

  @Test
  void cleartextWithoutItsPartsIsCorrupt() {
    for (String bad : new String[] {"Origin: x\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: x\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nComment: x\n\nOrigin: x\n"
            + "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n"}) {
      assertThrows(CorruptStructureException.class,
          () -> Clearsigned.parse(bad.getBytes(StandardCharsets.UTF_8), "InRelease"), bad);
    }
  }

  @Test
  void packagesRecordsAreRead() throws IOException {
    String text = "Package: a\nVersion: 1\nArchitecture: all\nFilename: pool/a.deb\nSize: 10\n"
        + "SHA256: " + "ab".repeat(32) + "\n\n\nPackage: b\nSize: 20\nSHA256: " + "CD".repeat(32)
        + "\nFilename: ./b.deb";
    PackagesIndex idx = PackagesIndex.read(new ByteArrayInputStream(
        text.getBytes(StandardCharsets.UTF_8)), "Packages");
    assertEquals(2, idx.records().size());
    assertEquals("./b.deb", idx.bySha256("cd".repeat(32)).get(0).filename());
    assertEquals(10, idx.bySha256("ab".repeat(32)).get(0).size());
  }
}
