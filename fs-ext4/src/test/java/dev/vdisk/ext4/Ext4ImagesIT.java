package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.FileTrees;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ext2/3/4 images made by {@code mke2fs -d} from the tree of {@code make-ext-source-tree.sh}, in
 * every layout the issue names; each is read through the NIO provider and compared with the
 * kernel (a read-only loop mount: {@code find -printf} for types, modes, owners, sizes, inode
 * numbers, link counts, nanosecond mtimes and link targets, {@code diff -r} for the contents of a
 * copy made with {@link FileTrees#copy}) and with {@code debugfs -R 'ls -l'}.
 */
class Ext4ImagesIT {
  @TempDir static Path work;
  static Path source;

  @BeforeAll
  static void makeSourceTree() {
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.requireRoot("loop mounts and setuid files");
    source = work.resolve("src");
    Oracles.runOk("bash", ProjectPaths.script("make-ext-source-tree.sh").toString(),
        source.toString());
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("ext2", "-t ext2", "256M"),
        Arguments.of("ext3", "-t ext3 -I 256", "512M"),
        Arguments.of("ext4", "-t ext4", "640M"),
        Arguments.of("ext4-no-metadata-csum", "-t ext4 -O ^metadata_csum", "640M"),
        Arguments.of("ext4-1k-blocks", "-t ext4 -b 1024", "640M"),
        Arguments.of("ext4-inline-data", "-t ext4 -O inline_data", "640M"),
        Arguments.of("ext4-64bit-flex-bg", "-t ext4 -O 64bit,flex_bg -G 64", "640M"),
        Arguments.of("ext4-bigalloc", "-t ext4 -O bigalloc -C 65536", "640M"),
        Arguments.of("ext4-meta-bg", "-t ext4 -O meta_bg,^resize_inode", "640M"),
        Arguments.of("ext4-sparse-super2", "-t ext4 -O sparse_super2 -b 1024", "320M"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void readsTheTreeAsTheKernelDoes(String name, String options, String size) throws IOException {
    Path image = work.resolve(name + ".img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-E", "root_owner=0:0"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", source.toString(), image.toString(), size));
    Oracles.runOk(cmd.toArray(new String[0]));
    // mke2fs -d writes linear directories; e2fsck -D rebuilds them as htrees where dir_index is on.
    Oracles.run("e2fsck", "-fyD", image.toString());
    Oracles.runOk("e2fsck", "-fn", image.toString());

    Path copy = work.resolve(name + "-copy");
    List<String> ours;
    Map<String, List<String>> ourDirs = new java.util.HashMap<>();
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty())) {
      assertThat(fs.identity().type()).isEqualTo(name.substring(0, 4));
      ours = listing(fs.getPath("/"), true);
      for (String dir : List.of("/", "/links", "/perms", "/etc")) {
        ourDirs.put(dir, debugfsStyle(fs.getPath(dir)));
      }
      FileTrees.copy(fs.getPath("/"), copy, true);
    }
    Path mnt = work.resolve(name + "-mnt");
    Files.createDirectory(mnt);
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      List<String> kernel = findListing(mnt, true);
      assertThat(ours).hasSize(kernel.size());
      assertThat(ours).containsExactlyElementsOf(kernel);
      Oracles.Result diff = Oracles.run("diff", "-r", "--no-dereference", mnt.toString(),
          copy.toString());
      assertThat(diff.exitCode()).as(diff.describe()).isZero();
      assertThat(findListing(copy, false)).containsExactlyElementsOf(findListing(mnt, false));
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    for (Map.Entry<String, List<String>> e : ourDirs.entrySet()) {
      assertThat(e.getValue()).as("debugfs ls -l " + e.getKey())
          .containsExactlyInAnyOrderElementsOf(debugfsListing(image, e.getKey()));
    }
  }

  /** Our listing in the format of {@link #findListing}. */
  static List<String> listing(Path root, boolean full) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Map<String, Object> u = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) u.get("mode");
        String type;
        switch (mode & 0170000) {
          case 0040000: type = "d"; break;
          case 0120000: type = "l"; break;
          case 0100000: type = "f"; break;
          default: type = "?";
        }
        String rel = root.relativize(p).toString();
        String link = type.equals("l") ? Files.readSymbolicLink(p).toString() : "";
        out.add(line(rel, type, mode & 07777, full ? u.get("uid") + "\t" + u.get("gid") + "\t"
            + u.get("size") + "\t" + u.get("ino") + "\t" + u.get("nlink") + "\t" : "",
            (FileTime) u.get("lastModifiedTime"), link));
      }
    }
    out.sort(null);
    return out;
  }

  static String line(String rel, String type, int perm, String extra, FileTime mtime,
      String link) {
    java.time.Instant t = mtime.toInstant();
    String time = t.getEpochSecond() + "." + String.format("%09d0", t.getNano());
    return rel + "\t" + type + "\t" + Integer.toOctalString(perm) + "\t" + extra + time + "\t"
        + link;
  }

  /** The kernel's (or the copy's) view, by find(1). */
  static List<String> findListing(Path dir, boolean full) {
    String format = full ? "%P\\t%y\\t%m\\t%U\\t%G\\t%s\\t%i\\t%n\\t%T@\\t%l\\n"
        : "%P\\t%y\\t%m\\t%T@\\t%l\\n";
    String out = Oracles.runOk("find", dir.toString(), "-printf", format);
    List<String> lines = new ArrayList<>(List.of(out.split("\n")));
    lines.removeIf(String::isEmpty);
    lines.sort(null);
    return lines;
  }

  private static final Pattern DEBUGFS_LINE = Pattern.compile(
      "^\\s*(\\d+)\\s+(\\d+)\\s+\\(\\d+\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+\\S+ (.*)$");

  static List<String> debugfsListing(Path image, String dir) {
    String out = Oracles.runOk("debugfs", "-R", "ls -l \"" + dir + "\"", image.toString());
    List<String> lines = new ArrayList<>();
    for (String l : out.split("\n")) {
      Matcher m = DEBUGFS_LINE.matcher(l);
      if (m.matches() && !m.group(6).equals(".") && !m.group(6).equals("..")) {
        lines.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4) + " "
            + m.group(5) + " " + unescape(m.group(6)));
      }
    }
    return lines;
  }

  /** debugfs prints bytes outside ASCII as {@code \\xNN}. */
  static String unescape(String s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\x", i) && i + 4 <= s.length()) {
        out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        byte[] b = String.valueOf(s.charAt(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  static List<String> debugfsStyle(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      List<String> out = new ArrayList<>();
      for (Path p : list.collect(Collectors.toList())) {
        Map<String, Object> u = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        out.add(u.get("ino") + " " + Integer.toOctalString((Integer) u.get("mode")) + " "
            + u.get("uid") + " " + u.get("gid") + " " + u.get("size") + " " + p.getFileName());
      }
      return new ArrayList<>(new TreeSet<>(out));
    }
  }
}
