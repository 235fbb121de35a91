package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code .deb} of the debootstrap cache read by {@link DebArchive} and compared with
 * dpkg-deb reading the same file: the control file ({@code dpkg-deb --field}), the control
 * archive's members ({@code dpkg-deb --ctrl-tarfile | tar t} and the bytes {@code dpkg-deb -e}
 * writes), and the data archive's entries as GNU tar lists dpkg-deb's file-system tarfile
 * (type, mode, numeric owner, size, mtime to the second, name, link target) plus the owner names
 * {@code dpkg-deb -c} prints; each file's streamed content against the package's md5sums. The
 * same checks on packages repacked by {@code dpkg-deb -b} with each compressor.
 */
class DebArchiveIT {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @TempDir static Path work;
  static List<Path> debs;

  @BeforeAll
  static void tools() throws IOException {
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("tar", "tar");
    debs = DebootstrapTree.debs();
    assertTrue(debs.size() > 50, "debootstrap cache has " + debs.size() + " packages");
  }

  @Test
  void everyCachedPackageMatchesDpkgDeb() throws Exception {
    for (Path deb : debs) {
      compare(deb);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"xz", "gzip", "zstd", "none"})
  void repackedByDpkgDebWithEachCompressor(String compressor) throws Exception {
    for (String name : new String[] {"login_", "tzdata_", "libc-bin_", "base-files_"}) {
      Path deb = debs.stream().filter(p -> p.getFileName().toString().startsWith(name))
          .findFirst().orElseThrow();
      Path dir = work.resolve(compressor + "-" + name);
      Oracles.runOk("dpkg-deb", "-R", deb.toString(), dir.toString());
      Path out = work.resolve(compressor + "-" + name + ".deb");
      Oracles.runOk("dpkg-deb", "--root-owner-group", "-Z" + compressor, "-b", dir.toString(),
          out.toString());
      try (DebArchive a = DebArchive.open(out)) {
        String expected = switch (compressor) {
          case "xz" -> "data.tar.xz";
          case "gzip" -> "data.tar.gz";
          case "zstd" -> "data.tar.zst";
          default -> "data.tar";
        };
        assertEquals(expected, a.dataMemberName());
      }
      compare(out);
    }
  }

  static void compare(Path deb) throws Exception {
    String where = deb.getFileName().toString();
    try (DebArchive a = DebArchive.open(deb)) {
      // control file
      String fields = Oracles.runOk("dpkg-deb", "--field", deb.toString());
      assertEquals(fields, a.control().format(), where);
      // control members: names and bytes
      String names = Oracles.runOk("bash", "-c",
          "dpkg-deb --ctrl-tarfile \"$1\" | tar t", "-", deb.toString());
      Set<String> expectedNames = new TreeSet<>();
      for (String n : names.split("\n")) {
        if (!n.isEmpty() && !n.equals("./")) {
          expectedNames.add(n.startsWith("./") ? n.substring(2) : n);
        }
      }
      assertEquals(expectedNames, new TreeSet<>(a.controlMembers().keySet()), where);
      Path ctl = work.resolve("ctl-" + where);
      Oracles.runOk("dpkg-deb", "-e", deb.toString(), ctl.toString());
      for (String n : expectedNames) {
        assertArrayEquals(Files.readAllBytes(ctl.resolve(n)), a.controlMembers().get(n),
            where + " " + n);
      }
      // data entries
      Oracles.Result listing = Oracles.run(null, Map.of("TZ", "UTC"), "bash", "-c",
          "dpkg-deb --fsys-tarfile \"$1\" | tar -tv --full-time --numeric-owner"
              + " --quoting-style=literal", "-", deb.toString());
      assertEquals(0, listing.exitCode(), listing.describe());
      List<String> expected = List.of(listing.stdout().split("\n"));
      List<String> owners = new ArrayList<>();
      for (String line : Oracles.runOk("dpkg-deb", "-c", deb.toString()).split("\n")) {
        owners.add(line.trim().split("\\s+")[1]);
      }
      Map<String, String> md5sums = new HashMap<>();
      byte[] sums = a.controlMembers().get("md5sums");
      if (sums != null) {
        for (String line : new String(sums, StandardCharsets.UTF_8).split("\n")) {
          if (line.length() > 34) {
            md5sums.put("/" + line.substring(34), line.substring(0, 32));
          }
        }
      }
      List<String> actual = new ArrayList<>();
      List<String> actualOwners = new ArrayList<>();
      int[] checked = {0};
      Map<String, String> computed = new HashMap<>();
      a.forEachData((e, content) -> {
        actual.add(tarLine(e));
        actualOwners.add(e.userName() + "/" + e.groupName());
        String sum = md5sums.get(e.path());
        String got = e.type() == DataEntry.Type.HARDLINK ? computed.get(e.linkTarget())
            : md5(content);
        computed.put(e.path(), got);
        if (sum != null) {
          assertEquals(sum, got, where + " " + e.path());
          checked[0]++;
        }
      });
      assertEquals(expected.size(), actual.size(), where);
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(normaliseSpaces(expected.get(i)), normaliseSpaces(actual.get(i)),
            where + " entry " + i);
      }
      assertEquals(owners, actualOwners, where);
      if (!md5sums.isEmpty()) {
        assertEquals(md5sums.size(), checked[0], where + " files checked against md5sums");
      }
    }
  }

  static String normaliseSpaces(String s) {
    return s.replaceAll(" +", " ");
  }

  static String md5(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The line GNU tar -tv --full-time --numeric-owner prints for an entry. */
  static String tarLine(DataEntry e) {
    char t = switch (e.type()) {
      case FILE -> '-';
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      case HARDLINK -> 'h';
      case CHAR_DEVICE -> 'c';
      case BLOCK_DEVICE -> 'b';
      case FIFO -> 'p';
    };
    StringBuilder sb = new StringBuilder().append(t);
    int m = e.mode();
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((m & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    if ((m & 04000) != 0) {
      sb.setCharAt(3, sb.charAt(3) == 'x' ? 's' : 'S');
    }
    if ((m & 02000) != 0) {
      sb.setCharAt(6, sb.charAt(6) == 'x' ? 's' : 'S');
    }
    if ((m & 01000) != 0) {
      sb.setCharAt(9, sb.charAt(9) == 'x' ? 't' : 'T');
    }
    sb.append(' ').append(e.uid()).append('/').append(e.gid()).append(' ');
    if (e.type() == DataEntry.Type.CHAR_DEVICE || e.type() == DataEntry.Type.BLOCK_DEVICE) {
      long d = e.device();
      sb.append(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffL)).append(',')
          .append((d & 0xff) | ((d >> 12) & ~0xffL));
    } else {
      sb.append(e.size());
    }
    sb.append(' ').append(TIME.format(e.mtime())).append(' ');
    String name = e.path().equals("/") ? "./" : "." + e.path()
        + (e.type() == DataEntry.Type.DIRECTORY ? "/" : "");
    sb.append(name);
    if (e.type() == DataEntry.Type.SYMLINK) {
      sb.append(" -> ").append(e.linkTarget());
    } else if (e.type() == DataEntry.Type.HARDLINK) {
      sb.append(" link to .").append(e.linkTarget());
    }
    return sb.toString();
  }

}
