package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DebArchive on packages built in the test: every data compression (bzip2 included, which
 * dpkg-deb cannot build), PAX long names and link targets, BSD ar member names, and typed errors
 * for malformed input (the oracle comparison with dpkg-deb is {@link DebArchiveIT}).
 */
class DebArchiveTest {
  @TempDir Path dir;

  static TestDebs sample() {
    String longDir = "/usr/share/" + "d".repeat(120);
    return TestDebs.of("sample", "1:2.0-1", "amd64")
        .member("postinst", "#!/bin/sh\nexit 0\n", 0755)
        .dir("/", 0755).dir("/usr", 0755).dir("/usr/share", 0755).dir(longDir, 0755)
        .file(longDir + "/" + "f".repeat(150), "long name\n", 0644)
        .symlink("/usr/share/l", "d".repeat(200))
        .file("/usr/share/setuid", "x", 04755)
        .hardlink("/usr/share/hard", "/usr/share/setuid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gz", "xz", "zst", "bz2"})
  void readsEveryCompression(String c) throws IOException {
    Path deb = sample().write(dir.resolve("s.deb"), c);
    try (DebArchive a = DebArchive.open(deb)) {
      assertEquals("sample", a.name());
      assertEquals("1:2.0-1", a.version());
      assertEquals("data.tar" + (c.isEmpty() ? "" : "." + c), a.dataMemberName());
      assertEquals(0755, a.controlMemberEntries().get("postinst").mode());
      List<DataEntry> got = new ArrayList<>();
      List<String> content = new ArrayList<>();
      a.forEachData((e, in) -> {
        got.add(e);
        content.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      });
      assertEquals(8, got.size());
      assertEquals("/", got.get(0).path());
      DataEntry longFile = got.get(4);
      assertTrue(longFile.path().endsWith("/" + "f".repeat(150)), longFile.path());
      assertEquals("long name\n", content.get(4));
      assertEquals("d".repeat(200), got.get(5).linkTarget());
      assertEquals(04755, got.get(6).mode());
      assertEquals(DataEntry.Type.HARDLINK, got.get(7).type());
      assertEquals("/usr/share/setuid", got.get(7).linkTarget());
    }
  }

  @Test
  void bsdArNames() throws IOException {
    Path gnu = sample().write(dir.resolve("g.deb"), "gz");
    byte[] b = Files.readAllBytes(gnu);
    // rewrite every member as BSD "#1/LEN" with the name before the data
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, 8);
    int pos = 8;
    while (pos + 60 <= b.length) {
      String name = new String(b, pos, 16, StandardCharsets.US_ASCII).strip();
      if (name.endsWith("/")) {
        name = name.substring(0, name.length() - 1);
      }
      long size = Long.parseLong(new String(b, pos + 48, 10, StandardCharsets.US_ASCII).strip());
      byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
      String header = String.format("%-16s%-12s%-6s%-6s%-8s%-10s`\n", "#1/" + nameBytes.length,
          "0", "0", "0", "100644", size + nameBytes.length);
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(nameBytes);
      out.write(b, pos + 60, (int) size);
      if (((size + nameBytes.length) & 1) != 0) {
        out.write('\n');
      }
      pos += 60 + (int) size + (int) (size & 1);
    }
    Path bsd = Files.write(dir.resolve("b.deb"), out.toByteArray());
    try (DebArchive a = DebArchive.open(bsd); DebArchive g = DebArchive.open(gnu)) {
      assertEquals(g.control(), a.control());
      List<String> pa = new ArrayList<>();
      List<String> pg = new ArrayList<>();
      a.forEachData((e, in) -> pa.add(e.path()));
      g.forEachData((e, in) -> pg.add(e.path()));
      assertEquals(pg, pa);
    }
  }

  @Test
  void notAnArArchive() throws IOException {
    Path p = Files.writeString(dir.resolve("x.deb"), "hello world, not a package\n");
    CorruptStructureException e = assertThrows(CorruptStructureException.class,
        () -> DebArchive.open(p));
    assertTrue(e.getMessage().contains("ar"), e.getMessage());
  }

  @Test
  void wrongFormatVersion() throws IOException {
    byte[] b = Files.readAllBytes(sample().write(dir.resolve("s.deb"), "gz"));
    int at = indexOf(b, "2.0\n".getBytes(StandardCharsets.US_ASCII));
    b[at] = '3';
    Path p = Files.write(dir.resolve("v.deb"), b);
    assertThrows(UnsupportedFeatureException.class, () -> DebArchive.open(p));
  }

  @Test
  void unsafePathRefused() throws IOException {
    Path deb = TestDebs.of("bad", "1", "all").dir("/", 0755)
        .file("/../../etc/evil", "x", 0644).write(dir.resolve("bad.deb"), "gz");
    try (DebArchive a = DebArchive.open(deb)) {
      CorruptStructureException e = assertThrows(CorruptStructureException.class,
          () -> a.forEachData((x, in) -> { }));
      assertTrue(e.getMessage().contains("data.tar.gz"), e.getMessage());
    }
  }

  /** Every truncation and a seeded sample of byte flips: only typed errors. */
  @Test
  void damagedPackagesGiveTypedErrors() throws IOException {
    byte[] good = Files.readAllBytes(sample().write(dir.resolve("s.deb"), "xz"));
    long seed = System.nanoTime();
    System.out.println("DebArchiveTest seed " + seed);
    Random r = new Random(seed);
    for (int i = 0; i < 300; i++) {
      byte[] b;
      if (i < 100) {
        b = Arrays.copyOf(good, r.nextInt(good.length));
      } else {
        b = good.clone();
        for (int k = 0; k < 1 + r.nextInt(4); k++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
      }
      Path p = Files.write(dir.resolve("d.deb"), b);
      try (DebArchive a = DebArchive.open(p)) {
        a.forEachData((e, in) -> in.readAllBytes());
      } catch (CorruptStructureException | UnsupportedFeatureException expected) {
        // typed
      }
    }
  }

  private static int indexOf(byte[] b, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= b.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (b[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
