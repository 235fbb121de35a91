package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.FileTrees;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.ntfs.NtfsTreeSnapshot.Entry;
import dev.vdisk.testdata.NtfsImages;
import dev.vdisk.testdata.NtfsImages.Variant;
import dev.vdisk.testdata.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NTFS acceptance test: every fixture variant of {@link NtfsImages} (made by {@code mkntfs},
 * filled through {@code ntfs-3g}) read through vdisk's public NIO API ({@link
 * VdiskFileSystems#open(Path)}) and compared with what the real tools read from the same bytes:
 *
 * <ul>
 *   <li>a read-only {@code ntfs-3g} mount with {@code streams_interface=xattr}: names in every
 *       directory, types, sizes, SHA-256 of contents, symlink targets, modification times, the
 *       named streams' names as {@code user.*} attributes; {@code system.ntfs_attrib_be} (via
 *       {@code getfattr}) for the DOS attributes;
 *   <li>a second read-only mount with {@code streams_interface=windows}: each named stream's bytes
 *       read as {@code file:stream}, against vdisk's {@code user.<stream>} attribute and its {@code
 *       path:stream} path;
 *   <li>the volume's own {@code $UpCase} table (from {@code ntfscat}) for the collation order vdisk
 *       lists directories in; the order {@code ntfsls} prints for directories held whole in their
 *       $INDEX_ROOT checks that comparator;
 *   <li>sleuthkit {@code icat} (by the inode numbers {@code fls -r -p} lists, streams included)
 *       and {@code ntfscat} for a sample of files;
 *   <li>{@link FileTrees#copy} of {@code /} (what {@code vdisk get IMAGE / out} does) against the
 *       mount.
 * </ul>
 *
 * <p>For the partitioned variants (NTFS in MBR partition 1 of a raw disk, a dynamic VHD and a
 * VHDX) the oracle tools read the partition that {@code qemu-img convert} and {@code sfdisk} find
 * in the disk; vdisk opens the image itself, both by default and as partition 1.
 */
class NtfsReadIT {
  /** The oracles' view of each variant, taken once and shared by the tests. */
  private static final Map<Variant, Oracle> ORACLES = new EnumMap<>(Variant.class);

  private static final Map<Variant, Throwable> FAILED = new EnumMap<>(Variant.class);

  private static Path work;

  @TempDir Path dir;

  @AfterAll
  static void cleanUp() throws IOException {
    if (work != null) {
      for (Variant v : Variant.values()) {
        for (String m : List.of("mnt-xattr", "mnt-windows")) {
          Path mount = work.resolve(v.scriptName()).resolve(m);
          if (Oracles.run("mountpoint", "-q", mount.toString()).exitCode() == 0) {
            Oracles.run("umount", mount.toString());
          }
        }
      }
      Oracles.run("rm", "-rf", "--one-file-system", work.toString());
    }
  }

  /** What the real tools showed of one variant (mounted, walked and unmounted). */
  private static final class Oracle {
    Path volume;
    String mountPoint;
    NtfsTreeSnapshot tree;
    /** Entry key to stream name to "size:sha256" (bytes from the windows-interface mount). */
    Map<String, Map<String, String>> streams = new TreeMap<>();
    /** Entry key to system.ntfs_attrib_be. */
    Map<String, Integer> dosAttributes = new HashMap<>();
    /** Entry key to $STANDARD_INFORMATION creation time (system.ntfs_crtime_be). */
    Map<String, Instant> creationTimes = new HashMap<>();
    /** Entry key to last access time (stat). */
    Map<String, Instant> accessTimes = new HashMap<>();
    /** Entry key to ino, for hard links. */
    Map<String, Long> inodes = new HashMap<>();
    /** The volume's $UpCase table. */
    char[] upcase;
  }

  private static synchronized Oracle oracle(Variant variant) throws Exception {
    Oracle cached = ORACLES.get(variant);
    if (cached != null) {
      return cached;
    }
    Throwable failed = FAILED.get(variant);
    if (failed != null) {
      throw new AssertionError("the oracle of " + variant + " failed before: " + failed, failed);
    }
    try {
      Oracle o = takeOracle(variant);
      ORACLES.put(variant, o);
      return o;
    } catch (org.opentest4j.TestAbortedException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      FAILED.put(variant, e);
      throw e;
    }
  }

  private static Oracle takeOracle(Variant variant) throws Exception {
    Oracles.require("ntfscat", "ntfs-3g");
    Oracles.require("ntfsls", "ntfs-3g");
    Oracles.require("getfattr", "attr");
    Oracles.require("ntfsinfo", "ntfs-3g");
    Oracles.require("fls", "sleuthkit");
    Oracles.require("icat", "sleuthkit");
    Path image = NtfsImages.get(variant);
    if (work == null) {
      work = Files.createTempDirectory("ntfs-read-it");
    }
    Path base = Files.createDirectories(work.resolve(variant.scriptName()));
    Oracle o = new Oracle();
    o.volume = variant.partitioned() ? partition(image, variant, base) : image;
    Path xattrMount = Files.createDirectories(base.resolve("mnt-xattr"));
    Path windowsMount = Files.createDirectories(base.resolve("mnt-windows"));
    o.mountPoint = xattrMount.toString();
    Oracles.runOk("ntfs-3g", "-o", "ro,streams_interface=xattr", o.volume.toString(),
        xattrMount.toString());
    try {
      Oracles.runOk("ntfs-3g", "-o", "ro,streams_interface=windows", o.volume.toString(),
          windowsMount.toString());
      try {
        o.tree = NtfsTreeSnapshot.of(xattrMount, false);
        for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
          Path p = NtfsTreeSnapshot.resolve(xattrMount, e.getKey());
          o.inodes.put(e.getKey(), ((Number) Files.getAttribute(p, "unix:ino",
              LinkOption.NOFOLLOW_LINKS)).longValue());
          if (!isFileOrDirectory(e.getValue())) {
            continue; // Java opens the file to list xattrs: a FIFO would block
          }
          UserDefinedFileAttributeView view = Files.getFileAttributeView(p,
              UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
          List<String> names = view.list();
          if (names.isEmpty()) {
            continue;
          }
          Map<String, String> values = new TreeMap<>();
          for (String name : names) {
            Path windowsPath = NtfsTreeSnapshot.resolve(windowsMount, e.getKey());
            Path streamPath = windowsPath.resolveSibling(windowsPath.getFileName() + ":" + name);
            String digest = NtfsTreeSnapshot.sizedSha256(streamPath);
            values.put(name, digest);
            long size = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            if (size < 65536) { // Linux caps an xattr value at 64 KiB (E2BIG)
              assertThat(NtfsTreeSnapshot.xattrValueDigest(view, name))
                  .as("oracles disagree: %s stream %s as xattr and as file:stream", e.getKey(),
                      name)
                  .isEqualTo(digest);
            }
          }
          o.streams.put(e.getKey(), values);
        }
        o.dosAttributes = ntfsAttributes(xattrMount);
        o.creationTimes = creationTimes(xattrMount);
        for (String key : o.tree.entries.keySet()) {
          o.accessTimes.put(key, Files.readAttributes(NtfsTreeSnapshot.resolve(xattrMount, key),
              BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).lastAccessTime().toInstant());
        }
      } finally {
        Oracles.runOk("umount", windowsMount.toString());
      }
    } finally {
      Oracles.runOk("umount", xattrMount.toString());
    }
    Oracles.Result upcase = Oracles.run("ntfscat", o.volume.toString(), "$UpCase");
    assertThat(upcase.exitCode()).as(upcase.describe()).isZero();
    assertThat(upcase.out()).hasSize(131072);
    o.upcase = new char[65536];
    ByteBuffer.wrap(upcase.out()).order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().get(o.upcase);
    return o;
  }

  /**
   * The NTFS partition of a partitioned variant, as its own file: the disk converted to raw by
   * qemu-img, partition 1 as sfdisk reads it.
   */
  private static Path partition(Path image, Variant variant, Path base) throws IOException {
    Path raw = base.resolve("disk.raw");
    String format = switch (variant) {
      case VHD -> "vpc";
      case VHDX -> "vhdx";
      default -> "raw";
    };
    Oracles.runOk("qemu-img", "convert", "-f", format, "-O", "raw", image.toString(),
        raw.toString());
    String json = Oracles.runOk("sfdisk", "-J", raw.toString());
    Matcher m = Pattern.compile("\"start\":\\s*(\\d+),\\s*\"size\":\\s*(\\d+)").matcher(json);
    assertThat(m.find()).as("sfdisk sees a partition: %s", json).isTrue();
    long start = Long.parseLong(m.group(1));
    long size = Long.parseLong(m.group(2));
    assertThat(start).as("partition 1 starts at 1 MiB").isEqualTo(2048);
    Path volume = base.resolve("partition1.img");
    Oracles.runOk("dd", "if=" + raw, "of=" + volume, "bs=512", "skip=" + start, "count=" + size,
        "conv=sparse", "status=none");
    Files.delete(raw);
    return volume;
  }

  /** system.ntfs_attrib_be of every entry, from one recursive getfattr. */
  private static Map<String, Integer> ntfsAttributes(Path mount) {
    Map<String, Integer> out = new HashMap<>();
    systemXattr(mount, "system.ntfs_attrib_be").forEach(
        (key, hex) -> out.put(key, Integer.parseUnsignedInt(hex, 16)));
    return out;
  }

  /** system.ntfs_crtime_be (NTFS time: 100 ns units since 1601) of every entry, as instants. */
  private static Map<String, Instant> creationTimes(Path mount) {
    Map<String, Instant> out = new HashMap<>();
    systemXattr(mount, "system.ntfs_crtime_be").forEach((key, hex) -> {
      long ticks = Long.parseUnsignedLong(hex, 16);
      long unix100ns = ticks - 116444736000000000L;
      out.put(key, Instant.ofEpochSecond(Math.floorDiv(unix100ns, 10_000_000L),
          Math.floorMod(unix100ns, 10_000_000L) * 100));
    });
    return out;
  }

  /** One system xattr (hex, without 0x) of every entry below a mount, by one recursive getfattr. */
  private static Map<String, String> systemXattr(Path mount, String name) {
    Oracles.Result r = Oracles.run("getfattr", "-R", "-h", "--absolute-names", "-e", "hex", "-n",
        name, mount.toString());
    // getfattr exits 1 when some entries (ntfs-3g's symbolic links) have no such attribute
    assertThat(r.stdout()).as(r.describe()).contains(name + "=");
    Map<String, String> out = new HashMap<>();
    String file = null;
    for (String line : r.stdout().split("\n")) {
      if (line.startsWith("# file: ")) {
        file = unescape(line.substring("# file: ".length()));
      } else if (line.startsWith(name + "=0x") && file != null) {
        out.put(NtfsTreeSnapshot.key(mount, Path.of(file)), line.substring(name.length() + 3));
      }
    }
    return out;
  }


  /** getfattr's file names: octal escapes of the UTF-8 bytes. */
  private static String unescape(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '\\' && i + 3 < in.length && isOctal(in[i + 1]) && isOctal(in[i + 2])
          && isOctal(in[i + 3])) {
        bytes.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
        i += 3;
      } else {
        bytes.write(in[i]);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctal(byte b) {
    return b >= '0' && b <= '7';
  }

  private static boolean isFileOrDirectory(Entry e) {
    return e.type().equals("file") || e.type().equals("dir");
  }

  /** The target as vdisk should show it: ntfs-3g puts its mount point before absolute ones. */
  private static String expectedTarget(Oracle o, String target) {
    if (target.startsWith(o.mountPoint + "/")) {
      return target.substring(o.mountPoint.length());
    }
    return target;
  }

  /** Every fixture but the raw MBR disk (it is what the VHD and the VHDX hold). */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void treeEqualsNtfs3gMount(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    assertThat(o.tree.entries).as("the fixture is filled").hasSizeGreaterThan(2000);
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      NtfsTreeSnapshot v = NtfsTreeSnapshot.of(fs.getPath("/"), false);
      compareTrees(o, v, "vdisk " + variant, false);
      // hard links: the same names share an inode on both sides (ntfs-3g's is the MFT number)
      Map<Long, Set<String>> want = new HashMap<>();
      Map<Object, Set<String>> got = new HashMap<>();
      for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
        if (!e.getValue().type().equals("file")) {
          continue;
        }
        want.computeIfAbsent(o.inodes.get(e.getKey()), k -> new TreeSet<>()).add(e.getKey());
        Object ino = Files.getAttribute(NtfsTreeSnapshot.resolve(fs.getPath("/"), e.getKey()),
            "unix:ino", LinkOption.NOFOLLOW_LINKS);
        got.computeIfAbsent(ino, k -> new TreeSet<>()).add(e.getKey());
      }
      Set<Set<String>> wantGroups = new java.util.HashSet<>();
      want.values().stream().filter(g -> g.size() > 1).forEach(wantGroups::add);
      Set<Set<String>> gotGroups = new java.util.HashSet<>();
      got.values().stream().filter(g -> g.size() > 1).forEach(gotGroups::add);
      assertThat(wantGroups).as("the fixture's hard links")
          .contains(Set.of("/links/first", "/links/second", "/links/sub/third"));
      assertThat(gotGroups).as("%s: names sharing an inode (hard links)", variant)
          .isEqualTo(wantGroups);
    }
  }

  /**
   * Compares a walk with the mount's. A {@code copy} (by {@link FileTrees}) has no FIFOs, sockets
   * or devices, and its links' times are in microseconds: the JDK sets a link's own times with
   * lutimes(2).
   */
  private static void compareTrees(Oracle o, NtfsTreeSnapshot v, String what, boolean copy) {
    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, List<String>> e : o.tree.listings.entrySet()) {
      List<String> actual = v.listings.get(e.getKey());
      Set<String> expected = new TreeSet<>();
      for (String name : e.getValue()) {
        String child = (e.getKey().equals("/") ? "" : e.getKey()) + "/" + name;
        if (!(copy && o.tree.entries.get(child).type().startsWith("other"))) {
          expected.add(name);
        }
      }
      soft.assertThat(actual == null ? null : new TreeSet<>(actual))
          .as("%s: names in %s", what, e.getKey()).isEqualTo(expected);
    }
    Set<String> expectedKeys = new TreeSet<>();
    for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
      if (!(copy && e.getValue().type().startsWith("other"))) {
        expectedKeys.add(e.getKey());
      }
    }
    soft.assertThat(v.entries.keySet()).as("%s: every path", what)
        .containsExactlyInAnyOrderElementsOf(expectedKeys);
    boolean linkTimesInMicros = copy;
    for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
      Entry want = e.getValue();
      Entry got = v.entries.get(e.getKey());
      if (got == null) {
        continue; // reported above
      }
      String key = e.getKey();
      soft.assertThat(got.type()).as("%s: type of %s", what, key).isEqualTo(want.type());
      if (want.type().equals("file") && got.type().equals("file")) {
        soft.assertThat(got.size()).as("%s: size of %s", what, key).isEqualTo(want.size());
        soft.assertThat(got.sha256()).as("%s: SHA-256 of %s", what, key)
            .isEqualTo(want.sha256());
      }
      if (want.type().equals("link") && got.type().equals("link")) {
        soft.assertThat(got.target()).as("%s: target of %s", what, key)
            .isEqualTo(expectedTarget(o, want.target()));
      }
      Instant expectedTime = want.mtime();
      if (linkTimesInMicros && want.type().equals("link")) {
        // the JDK sets a link's own times with lutimes(2): microseconds
        expectedTime = expectedTime.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
      }
      soft.assertThat(got.mtime()).as("%s: lastModifiedTime of %s", what, key)
          .isEqualTo(expectedTime);
    }
    soft.assertAll();
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void directoriesListInUpcaseCollationOrder(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    Comparator<String> collation = collation(o.upcase);
    // the comparator against ntfsls, on directories small enough to live in their $INDEX_ROOT
    // (ntfsls prints index allocation blocks in storage order, so only those are in order)
    int checked = 0;
    for (String d : List.of("/names/case", "/attrs", "/streams", "/reparse", "/misc", "/links",
        "/names", "/src/links")) {
      if (!o.tree.listings.containsKey(d) || hasIndexAllocation(o, d)) {
        continue;
      }
      List<String> printed = new ArrayList<>();
      for (String line : Oracles.runOk("ntfsls", "-p", d, o.volume.toString()).split("\n")) {
        if (!line.isEmpty() && !line.equals(".") && !line.equals("..")) {
          printed.add(line);
        }
      }
      List<String> sorted = new ArrayList<>(printed);
      sorted.sort(collation);
      assertThat(printed).as("ntfsls order of %s (in its $INDEX_ROOT)", d).isEqualTo(sorted);
      checked++;
    }
    assertThat(checked).as("directories whose ntfsls order checks the comparator").isPositive();
    assertThat(o.tree.listings.get("/names/case")).contains("a", "A", "äb", "Äb");

    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      SoftAssertions soft = new SoftAssertions();
      for (Map.Entry<String, List<String>> e : o.tree.listings.entrySet()) {
        List<String> listed = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(
            NtfsTreeSnapshot.resolve(fs.getPath("/"), e.getKey()))) {
          for (Path p : stream) {
            listed.add(p.getFileName().toString());
          }
        }
        List<String> expected = new ArrayList<>(e.getValue());
        expected.sort(collation);
        soft.assertThat(listed).as("vdisk's order of %s", e.getKey()).isEqualTo(expected);
      }
      soft.assertAll();
    }
  }

  /** Whether ntfsinfo shows an $INDEX_ALLOCATION (or cannot tell) for a directory. */
  private static boolean hasIndexAllocation(Oracle o, String dirKey) {
    Oracles.Result r = Oracles.run("ntfsinfo", "-F", dirKey, o.volume.toString());
    return r.exitCode() != 0 || !r.stdout().contains("$INDEX_ROOT")
        || r.stdout().contains("$INDEX_ALLOCATION");
  }

  /**
   * NTFS's file-name collation: the names upcased through the volume's table, compared as UTF-16
   * code units; equal upcased names (a POSIX-namespace pair such as a and A) by their own units.
   */
  static Comparator<String> collation(char[] upcase) {
    Comparator<String> upcased = (a, b) -> {
      int n = Math.min(a.length(), b.length());
      for (int i = 0; i < n; i++) {
        int c = Character.compare(upcase[a.charAt(i)], upcase[b.charAt(i)]);
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.length(), b.length());
    };
    return upcased.thenComparing(Comparator.naturalOrder());
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void namedStreamsAsXattrsAndPaths(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    assertThat(o.streams).as("fixture streams")
        .containsKeys("/streams/file.txt", "/streams/dir", "/streams/only-streams");
    assertThat(o.streams.get("/streams/file.txt"))
        .containsOnlyKeys("empty", "small", "big", "ストリーム");
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      Path root = fs.getPath("/");
      SoftAssertions soft = new SoftAssertions();
      for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
        if (!isFileOrDirectory(e.getValue())) {
          continue;
        }
        String key = e.getKey();
        Map<String, String> want = o.streams.getOrDefault(key, Map.of());
        Path p = NtfsTreeSnapshot.resolve(root, key);
        Map<String, String> got;
        try {
          got = NtfsTreeSnapshot.userXattrs(p);
        } catch (IOException ex) {
          soft.fail("%s: reading user xattrs of %s: %s", variant, key, ex);
          continue;
        }
        soft.assertThat(got).as("%s: user.* xattrs (named streams) of %s", variant, key)
            .isEqualTo(want);
        for (Map.Entry<String, String> s : want.entrySet()) {
          Path streamPath = key.equals("/") ? fs.getPath("/:" + s.getKey())
              : p.resolveSibling(p.getFileName() + ":" + s.getKey());
          try {
            soft.assertThat(NtfsTreeSnapshot.sizedSha256(streamPath))
                .as("%s: %s read as a path", variant, streamPath).isEqualTo(s.getValue());
          } catch (IOException ex) {
            soft.fail("%s: reading %s: %s", variant, streamPath, ex);
          }
        }
      }
      soft.assertAll();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void dosAttributes(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    assertThat(o.dosAttributes).as("getfattr saw every entry")
        .containsKeys("/attrs/readonly.txt", "/attrs/hidden-dir");
    assertThat(o.dosAttributes.get("/attrs/all.txt") & 0x27).isEqualTo(0x27);
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      assertThat(fs.supportedFileAttributeViews()).contains("dos", "user");
      SoftAssertions soft = new SoftAssertions();
      for (Map.Entry<String, Integer> e : o.dosAttributes.entrySet()) {
        int want = e.getValue();
        DosFileAttributes got = Files.readAttributes(
            NtfsTreeSnapshot.resolve(fs.getPath("/"), e.getKey()), DosFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        String as = variant + ": DOS attributes of " + e.getKey() + " (ntfs_attrib 0x"
            + Integer.toHexString(want) + ")";
        soft.assertThat(List.of(got.isReadOnly(), got.isHidden(), got.isSystem(), got.isArchive()))
            .as(as).isEqualTo(List.of((want & 1) != 0, (want & 2) != 0, (want & 4) != 0,
                (want & 0x20) != 0));
      }
      soft.assertAll();
    }
  }

  /**
   * Creation and last access times ($STANDARD_INFORMATION) of every entry: ntfs-3g's {@code
   * system.ntfs_crtime_be} and {@code st_atime} against vdisk's basic attributes.
   */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void creationAndAccessTimes(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    assertThat(o.creationTimes).as("getfattr saw the entries").containsKey("/misc/cluster.bin")
        .containsKeys(o.tree.entries.keySet().stream().filter(
            k -> !o.tree.entries.get(k).type().equals("link")).toArray(String[]::new));
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      SoftAssertions soft = new SoftAssertions();
      for (String key : o.tree.entries.keySet()) {
        BasicFileAttributes got = Files.readAttributes(
            NtfsTreeSnapshot.resolve(fs.getPath("/"), key), BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        Instant created = o.creationTimes.get(key);
        if (created != null) {
          soft.assertThat(got.creationTime().toInstant()).as("%s: creationTime of %s", variant,
              key).isEqualTo(created);
        }
        soft.assertThat(got.lastAccessTime().toInstant()).as("%s: lastAccessTime of %s",
            variant, key).isEqualTo(o.accessTimes.get(key));
      }
      soft.assertAll();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = "MBR", mode = EnumSource.Mode.EXCLUDE)
  void sampleAgainstIcatAndNtfscat(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    List<String> sample = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
      if (!e.getValue().type().equals("file")) {
        continue;
      }
      String key = e.getKey();
      boolean bulk = key.startsWith("/src/") || key.startsWith("/big/");
      if (!bulk || i++ % 500 == 0) {
        sample.add(key);
      }
    }
    for (Map.Entry<String, Map<String, String>> e : o.streams.entrySet()) {
      for (String s : e.getValue().keySet()) {
        sample.add(e.getKey() + ":" + s);
      }
    }
    // sleuthkit 4.12 cannot open a 2 MiB-cluster volume: ntfscat alone is the oracle there
    boolean sleuthkit = variant != Variant.C2M;
    Map<String, String> inodes = sleuthkit ? NtfsCorpusIT.flsEntries(o.volume, 0) : Map.of();
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      SoftAssertions soft = new SoftAssertions();
      for (String key : sample) {
        int colon = key.indexOf(':');
        String file = colon < 0 ? key : key.substring(0, colon);
        String stream = colon < 0 ? null : key.substring(colon + 1);
        String vdisk;
        try {
          vdisk = NtfsTreeSnapshot.sizedSha256(fs.getPath(key));
        } catch (IOException ex) {
          soft.fail("%s: vdisk cannot read %s: %s", variant, key, ex);
          continue;
        }
        if (sleuthkit) {
          String inode = inodes.get(key);
          soft.assertThat(inode).as("fls lists %s", key).isNotNull();
          if (inode != null) {
            Oracles.Result icat = Oracles.run("icat", o.volume.toString(), inode);
            soft.assertThat(icat.exitCode()).as(icat.describe()).isZero();
            soft.assertThat(vdisk).as("%s: %s against icat %s", variant, key, inode)
                .isEqualTo(icat.out().length + ":" + NtfsTreeSnapshot.sha256(icat.out()));
          }
        }
        Oracles.Result cat = stream == null
            ? Oracles.run("ntfscat", o.volume.toString(), file)
            : Oracles.run("ntfscat", "-a", "0x80", "-n", stream, o.volume.toString(), file);
        soft.assertThat(cat.exitCode()).as(cat.describe()).isZero();
        soft.assertThat(vdisk).as("%s: %s against ntfscat", variant, key)
            .isEqualTo(cat.out().length + ":" + NtfsTreeSnapshot.sha256(cat.out()));
      }
      soft.assertAll();
    }
    assertThat(sample).as("the sample").hasSizeGreaterThan(40);
  }

  /**
   * Partition 1 asked for by number is the partition the default open chose (the whole tree is
   * compared by {@link #treeEqualsNtfs3gMount}); here the root and every file below /frag,
   * /misc and /links of partition 1 against the mount.
   */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"VHD", "VHDX"})
  void partitionOneIsTheDefault(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    Path image = NtfsImages.get(variant);
    try (FileSystem byDefault = VdiskFileSystems.open(image);
        FileSystem first = VdiskFileSystems.open(image, OptionalInt.of(1))) {
      List<String> rootA = new ArrayList<>();
      List<String> rootB = new ArrayList<>();
      try (var s = Files.newDirectoryStream(first.getPath("/"))) {
        s.forEach(p -> rootA.add(p.getFileName().toString()));
      }
      try (var s = Files.newDirectoryStream(byDefault.getPath("/"))) {
        s.forEach(p -> rootB.add(p.getFileName().toString()));
      }
      assertThat(rootA).containsExactlyInAnyOrderElementsOf(o.tree.listings.get("/"));
      assertThat(rootB).isEqualTo(rootA);
      SoftAssertions soft = new SoftAssertions();
      int compared = 0;
      for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
        String key = e.getKey();
        if (!e.getValue().type().equals("file") || !(key.startsWith("/frag/")
            || key.startsWith("/misc/") || key.startsWith("/links/"))) {
          continue;
        }
        soft.assertThat(NtfsTreeSnapshot.sha256(first.getPath(key)))
            .as("%s partition 1: %s", variant, key).isEqualTo(e.getValue().sha256());
        compared++;
      }
      soft.assertAll();
      assertThat(compared).isGreaterThan(5);
    }
  }

  /**
   * {@code vdisk get IMAGE / out}: {@link FileTrees#copy} of the root onto this machine's file
   * system (the @TempDir's: ext4 or tmpfs here) equals the mount: names, types, contents, link
   * targets, times; hard links where the vdisk file system tells them ({@code unix:ino}); every
   * named stream is either a {@code user.*} xattr of the copy with the stream's bytes, or listed in
   * the summary as refused by the target (ext4 keeps values up to a block).
   */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"DEFAULT", "C64K", "VHDX"})
  void vdiskGetEqualsMount(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    Path out = dir.resolve("out");
    try (FileSystem fs = VdiskFileSystems.open(NtfsImages.get(variant))) {
      FileTrees.Summary summary = FileTrees.copy(fs.getPath("/"), out, FileTrees.Options.of(false));
      NtfsTreeSnapshot copy = NtfsTreeSnapshot.of(out, false);
      compareTrees(o, copy, "vdisk get " + variant, true);
      for (Map.Entry<String, Entry> e : o.tree.entries.entrySet()) {
        if (e.getValue().type().startsWith("other")) {
          assertThat(summary.skipped()).as("vdisk get reports it skipped %s", e.getKey())
              .anyMatch(s -> s.startsWith(e.getKey() + " ("));
        }
      }
      if (fs.supportedFileAttributeViews().contains("unix")) {
        assertThat(Files.isSameFile(out.resolve("links/first"), out.resolve("links/second")))
            .as("hard links stay hard links").isTrue();
        assertThat(Files.isSameFile(out.resolve("links/first"), out.resolve("links/sub/third")))
            .isTrue();
      }
      assertThat(o.inodes.get("/links/first")).as("the oracle's hard links")
          .isEqualTo(o.inodes.get("/links/second"));
      boolean targetXattrs = Files.getFileAttributeView(out, UserDefinedFileAttributeView.class)
          != null;
      SoftAssertions soft = new SoftAssertions();
      long copied = 0;
      for (Map.Entry<String, Map<String, String>> e : o.streams.entrySet()) {
        Path copiedFile = NtfsTreeSnapshot.resolve(out, e.getKey());
        Map<String, String> got = targetXattrs ? NtfsTreeSnapshot.userXattrs(copiedFile)
            : Map.of();
        for (Map.Entry<String, String> stream : e.getValue().entrySet()) {
          String value = got.get(stream.getKey());
          if (value != null) {
            soft.assertThat(value).as("copied stream %s of %s", stream.getKey(), e.getKey())
                .isEqualTo(stream.getValue());
            copied++;
          } else {
            String suffix = e.getKey() + ": extended attribute user." + stream.getKey() + " (";
            soft.assertThat(summary.skipped()).as("stream %s of %s neither copied nor reported",
                stream.getKey(), e.getKey()).anyMatch(s -> s.contains(suffix));
          }
        }
        soft.assertThat(got.keySet()).as("xattrs of the copy of %s", e.getKey())
            .isSubsetOf(e.getValue().keySet());
      }
      soft.assertThat(summary.extendedAttributes()).as("xattrs the summary counts")
          .isEqualTo(copied);
      if (targetXattrs) {
        soft.assertThat(copied).as("streams copied as xattrs").isPositive();
      }
      soft.assertAll();
    }
  }

  /** Fails fast, with the tool's words, if a fixture lacks what it claims. */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"DEFAULT", "C512", "MFT4K", "C64K"})
  void fixtureHoldsTheAcceptanceCases(Variant variant) throws Exception {
    Oracle o = oracle(variant);
    Set<String> keys = o.tree.entries.keySet();
    assertThat(keys).contains("/frag/attrlist.bin", "/frag/few-runs.bin", "/names/case/a",
        "/names/case/A", "/reparse/rel-link", "/reparse/abs-link", "/reparse/junction",
        "/reparse/interix-link", "/src/links/fast-link", "/misc/zero.bin", "/misc/cluster.bin",
        "/reparse/other-drive-link");
    assertThat(o.tree.entries.get("/special/fifo").type()).isEqualTo("other:10000");
    assertThat(o.tree.entries.get("/special/socket").type()).isEqualTo("other:140000");
    assertThat(o.tree.entries.get("/special/char-1-3").type()).startsWith("other:20000:");
    assertThat(o.tree.entries.get("/reparse/junction").type()).isEqualTo("link");
    assertThat(o.tree.entries.get("/reparse/abs-link").target())
        .isEqualTo(o.mountPoint + "/reparse/target.txt");
    assertThat(o.tree.entries.get("/misc/cluster.bin").size()).isEqualTo(variant.clusterSize());
    int big = o.tree.listings.get("/big").size();
    assertThat(big).isEqualTo(variant == Variant.DEFAULT ? 10000 : 2000);
    if (variant.hasCompressed()) {
      assertThat(keys).contains("/compressed/compressible.txt");
    }
  }
}
