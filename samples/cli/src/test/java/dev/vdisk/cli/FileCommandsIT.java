package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vdisk ls}, {@code cat}, {@code stat}, {@code get} and {@code info}'s file-system columns
 * on ext4 images that {@code mke2fs -d} filled from a source tree, checked against that tree and
 * against {@code debugfs} reading the same image.
 */
class FileCommandsIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String UUID = "5d1f4a3e-96b4-4c1a-9d0e-2f3c4b5a6d7e";

  @TempDir static Path shared;
  static Path source;
  static Path image;
  static Path debugfs;

  @TempDir Path dir;

  /** The issue's tree: many files, deep paths, long and UTF-8 names, links, a sparse file. */
  @BeforeAll
  static void makeImage() throws Exception {
    Path mke2fs = Oracles.require("mke2fs", "e2fsprogs");
    debugfs = Oracles.require("debugfs", "e2fsprogs");
    source = shared.resolve("src");
    Random random = new Random(5);
    System.out.println("FileCommandsIT seed 5");
    Path many = Files.createDirectories(source.resolve("many"));
    for (int i = 0; i < 3000; i++) {
      Files.writeString(many.resolve(String.format("file-%04d.txt", i)), "file " + i + "\n");
    }
    Path deep = source;
    for (int i = 0; i < 40; i++) {
      deep = deep.resolve("d" + i);
    }
    Files.createDirectories(deep);
    Files.writeString(deep.resolve("bottom"), "deep\n");
    Path names = Files.createDirectories(source.resolve("names"));
    Files.writeString(names.resolve("n".repeat(240)), "long name\n");
    Files.writeString(names.resolve("grüße-日本語-ελληνικά.txt"), "utf-8 name\n");
    Files.createFile(names.resolve("empty"));
    byte[] blob = new byte[300_000];
    random.nextBytes(blob);
    Files.write(source.resolve("blob.bin"), blob);
    Files.createSymbolicLink(source.resolve("fast-link"), Path.of("blob.bin"));
    Files.createSymbolicLink(source.resolve("slow-link"), Path.of("/" + "x".repeat(120)
        + "/target/that/is/longer/than/sixty/bytes"));
    Files.createSymbolicLink(source.resolve("dir-link"), Path.of("names"));
    Files.createLink(source.resolve("hard-a"), source.resolve("blob.bin"));
    Files.createLink(names.resolve("hard-b"), source.resolve("blob.bin"));
    Path setuid = source.resolve("setuid-tool");
    Files.writeString(setuid, "#!/bin/sh\n");
    Files.setAttribute(setuid, "unix:mode", 04755);
    Path sticky = Files.createDirectories(source.resolve("tmp"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    Files.writeString(sticky.resolve("scratch"), "");
    Path readOnly = Files.createDirectories(source.resolve("readonly-dir"));
    Files.writeString(readOnly.resolve("inside"), "x\n");
    Files.setAttribute(readOnly, "unix:mode", 0555);
    try (FileChannel ch = FileChannel.open(source.resolve("sparse.img"),
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("start".getBytes(StandardCharsets.US_ASCII)), 0);
      ch.write(ByteBuffer.wrap("middle".getBytes(StandardCharsets.US_ASCII)), 25L << 20);
      ch.write(ByteBuffer.wrap("end".getBytes(StandardCharsets.US_ASCII)), (50L << 20) - 3);
    }
    if (isRoot()) {
      Files.setAttribute(source.resolve("names/empty"), "unix:uid", 1000);
      Files.setAttribute(source.resolve("names/empty"), "unix:gid", 1001);
      Files.setAttribute(source.resolve("fast-link"), "unix:uid", 33, LinkOption.NOFOLLOW_LINKS);
    }
    // Distinct, whole-second times (mke2fs -d stores seconds).
    try (Stream<Path> all = Files.walk(source)) {
      long t = 1_600_000_000L;
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS).setTimes(FileTime.fromMillis(t * 1000), null, null);
        t += 61;
      }
    }
    image = shared.resolve("ext4.img");
    Oracles.runOk(mke2fs.toString(), "-q", "-F", "-t", "ext4", "-I", "256", "-L", "vdisk-test",
        "-U", UUID, "-d", source.toString(), image.toString(), "256M");
  }

  private static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  @Test
  void getReproducesTheSourceTree() throws Exception {
    assertGetReproducesTheSourceTree(image);
  }

  /**
   * The issue's file-system variants, each made by {@code mke2fs -d} from the same tree: {@code
   * vdisk get} reproduces the tree and {@code vdisk ls -l} agrees with debugfs.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "ext2; -t ext2",
    "ext3; -t ext3",
    "ext4 without metadata_csum; -t ext4 -O ^metadata_csum",
    "ext4 with 1 KiB blocks; -t ext4 -b 1024",
    "ext4 with inline_data; -t ext4 -O inline_data",
    "ext4 64bit and flex_bg; -t ext4 -O 64bit,flex_bg -G 4",
    "ext4 bigalloc; -t ext4 -O bigalloc -C 16384",
  })
  void eachVariantCopiesOutAndListsLikeDebugfs(String name, String options) throws Exception {
    Path variant = dir.resolve("variant.img");
    List<String> command = new ArrayList<>(List.of(
        Oracles.require("mke2fs", "e2fsprogs").toString(), "-q", "-F", "-I", "256"));
    command.addAll(List.of(options.trim().split("\\s+")));
    command.addAll(List.of("-d", source.toString(), variant.toString(), "256M"));
    Oracles.runOk(command.toArray(String[]::new));
    assertGetReproducesTheSourceTree(variant);
    for (String path : new String[] {"/", "/names", "/many"}) {
      assertLsAgreesWithDebugfs(variant, path);
    }
  }

  private void assertGetReproducesTheSourceTree(Path fsImage) throws Exception {
    Path out = dir.resolve("out");
    vdisk("get", "--no-progress", fsImage.toString(), "/", out.toString());
    Map<String, String> expected = describeTree(source);
    Map<String, String> actual = describeTree(out);
    actual.remove("/lost+found"); // made by mke2fs
    assertThat(actual).containsExactlyEntriesOf(expected);
    // Hard links stay hard links; the sparse file stays sparse.
    Object key = Files.readAttributes(out.resolve("blob.bin"), "unix:ino").get("ino");
    assertThat(Files.readAttributes(out.resolve("hard-a"), "unix:ino").get("ino")).isEqualTo(key);
    assertThat(Files.readAttributes(out.resolve("names/hard-b"), "unix:ino").get("ino"))
        .isEqualTo(key);
    long allocated = Long.parseLong(Oracles.runOk("du", "-B1", out.resolve("sparse.img")
        .toString()).split("\\s+")[0]);
    assertThat(allocated).isLessThan(8L << 20);
  }

  @Test
  void getOfOneFileIntoADirectoryAndJsonSummary() throws Exception {
    Files.createDirectories(dir.resolve("into"));
    CliRunner r = CliRunner.run("get", "--json", image.toString(), "/blob.bin",
        dir.resolve("into").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(MAPPER.readTree(r.out()).get("files").asInt()).isEqualTo(1);
    assertThat(Files.readAllBytes(dir.resolve("into/blob.bin")))
        .isEqualTo(Files.readAllBytes(source.resolve("blob.bin")));
  }

  /** Each line of {@code vdisk ls -l} against {@code debugfs -R 'ls -p'} (inode, mode, ids). */
  @Test
  void lsLongAgreesWithDebugfs() throws Exception {
    for (String path : new String[] {"/", "/names", "/many", "/tmp"}) {
      assertLsAgreesWithDebugfs(image, path);
    }
  }

  private static void assertLsAgreesWithDebugfs(Path fsImage, String path) throws Exception {
    CliRunner r = CliRunner.run("ls", "-l", fsImage.toString(), path);
    assertThat(r.exitCode()).as(r.err()).isZero();
    Map<String, String> ours = new TreeMap<>();
    for (String line : r.out().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\\s+", 8);
      String name = f[7].contains(" -> ") ? f[7].substring(0, f[7].indexOf(" -> ")) : f[7];
      ours.put(name, f[0] + " " + f[2] + " " + f[3] + " " + (f[0].startsWith("d") ? "" : f[4]));
    }
    Map<String, String> theirs = new TreeMap<>();
    String listing = Oracles.runOk(debugfs.toString(), "-R", "ls -p " + path,
        fsImage.toString());
    Pattern entry = Pattern.compile("^/(\\d+)/(\\d+)/(\\d+)/(\\d+)/(.*)/(\\d*)/$");
    for (String line : listing.split("\n")) {
      Matcher m = entry.matcher(line.trim());
      if (!m.matches() || m.group(5).equals(".") || m.group(5).equals("..")) {
        continue;
      }
      int mode = Integer.parseInt(m.group(2), 8);
      theirs.put(m.group(5), ImageFiles.modeString(mode) + " " + m.group(3) + " "
          + m.group(4) + " " + ((mode & 0170000) == 0040000 ? "" : m.group(6)));
    }
    assertThat(ours).as(path).isEqualTo(theirs);
  }

  @Test
  void catPrintsExactBytesAndFollowsLinks() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new PrintStream(bytes, true), new PrintStream(err, true), "cat",
        image.toString(), "/fast-link", "names/grüße-日本語-ελληνικά.txt");
    assertThat(code).as(err.toString()).isZero();
    byte[] blob = Files.readAllBytes(source.resolve("blob.bin"));
    byte[] utf = Files.readAllBytes(source.resolve("names/grüße-日本語-ελληνικά.txt"));
    ByteBuffer expected = ByteBuffer.allocate(blob.length + utf.length).put(blob).put(utf);
    assertThat(bytes.toByteArray()).isEqualTo(expected.array());

    CliRunner missing = CliRunner.run("cat", image.toString(), "/no/such/file");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(missing.err()).contains("/no/such").contains("no such file");
  }

  /** Every path and inode against sleuthkit's {@code fls}; file bytes against {@code icat}. */
  @Test
  void lsRecursiveAndCatAgreeWithSleuthkit() throws Exception {
    Path fls = Oracles.require("fls", "sleuthkit");
    Path icat = Oracles.require("icat", "sleuthkit");
    CliRunner r = CliRunner.run("ls", "-R", "--json", image.toString(), "/");
    assertThat(r.exitCode()).as(r.err()).isZero();
    Map<String, Long> ours = new TreeMap<>();
    for (JsonNode entry : MAPPER.readTree(r.out())) {
      ours.put(entry.get("path").asText().substring(1), entry.get("ino").asLong());
    }
    Map<String, Long> theirs = new TreeMap<>();
    Pattern line = Pattern.compile("^(\\S)/\\S (\\d+):\\t(.*)$");
    for (String l : Oracles.runOk(fls.toString(), "-f", "ext4", "-p", "-r", image.toString())
        .split("\n")) {
      Matcher m = line.matcher(l);
      if (m.matches() && !m.group(1).equals("V")) { // V: sleuthkit's virtual $OrphanFiles
        theirs.put(m.group(3), Long.parseLong(m.group(2)));
      }
    }
    assertThat(ours).isEqualTo(theirs);

    for (String file : new String[] {"blob.bin", "names/empty", "setuid-tool", "sparse.img"}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int code = Main.run(new PrintStream(bytes, true), new PrintStream(
          new ByteArrayOutputStream(), true), "cat", image.toString(), file);
      assertThat(code).isZero();
      Oracles.Result their = Oracles.run(icat.toString(), "-f", "ext4", image.toString(),
          Long.toString(ours.get(file)));
      assertThat(their.exitCode()).isZero();
      assertThat(bytes.toByteArray()).as(file).isEqualTo(their.out());
    }
  }

  @Test
  void statAgreesWithDebugfs() throws Exception {
    for (String path : new String[] {"/setuid-tool", "/slow-link", "/tmp", "/sparse.img"}) {
      CliRunner r = CliRunner.run("stat", "--json", image.toString(), path);
      assertThat(r.exitCode()).as(r.err()).isZero();
      JsonNode ours = MAPPER.readTree(r.out()).get(0);
      String theirs = Oracles.runOk(debugfs.toString(), "-R", "stat " + path, image.toString());
      Matcher inode = Pattern.compile("Inode: (\\d+)\\s+Type: \\S+\\s+Mode:\\s+(\\d+)")
          .matcher(theirs);
      assertThat(inode.find()).as(theirs).isTrue();
      assertThat(ours.get("ino").asLong()).isEqualTo(Long.parseLong(inode.group(1)));
      assertThat(ours.get("mode").asInt()).isEqualTo(Integer.parseInt(inode.group(2), 8));
      Matcher links = Pattern.compile("Links: (\\d+)").matcher(theirs);
      assertThat(links.find()).isTrue();
      assertThat(ours.get("nlink").asLong()).isEqualTo(Long.parseLong(links.group(1)));
      Matcher size = Pattern.compile("Size: (\\d+)").matcher(theirs);
      assertThat(size.find()).isTrue();
      assertThat(ours.get("size").asLong()).isEqualTo(Long.parseLong(size.group(1)));
      assertThat(ours.get("mtime").asText()).isEqualTo(
          Files.getLastModifiedTime(source.resolve(path.substring(1)), LinkOption.NOFOLLOW_LINKS)
              .toInstant().toString());
    }
    CliRunner text = CliRunner.run("stat", image.toString(), "/setuid-tool");
    assertThat(text.out()).contains("Access: (4755/-rwsr-xr-x)");
  }

  /** ext4 in the second GPT partition of a VHDX or VMDK: found by default and by --partition. */
  @ParameterizedTest
  @ValueSource(strings = {"vhdx", "vmdk"})
  void findsTheFileSystemInAPartitionOfAnImage(String format) throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path sgdisk = Oracles.require("sgdisk", "gdisk");
    Path raw = dir.resolve("disk.raw");
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), (300L << 20) - 1);
    }
    Oracles.runOk(sgdisk.toString(), "-n", "1:2048:+16M", "-t", "1:ef00", "-n",
        "2:0:0", "-t", "2:8300", "-c", "2:root", raw.toString());
    String start = Oracles.runOk(sgdisk.toString(), "-i", "2", raw.toString());
    Matcher first = Pattern.compile("First sector: (\\d+)").matcher(start);
    assertThat(first.find()).isTrue();
    long offset = Long.parseLong(first.group(1)) * 512;
    try (FileChannel in = FileChannel.open(image); FileChannel out = FileChannel.open(raw,
        StandardOpenOption.WRITE)) {
      long size = Math.min(in.size(), (300L << 20) - offset - (1 << 20));
      in.transferTo(0, size, out.position(offset));
    }
    Path disk = dir.resolve("disk." + format);
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", format, raw.toString(),
        disk.toString());

    CliRunner info = CliRunner.run("info", "--json", disk.toString());
    assertThat(info.exitCode()).as(info.err()).isZero();
    JsonNode partitions = MAPPER.readTree(info.out()).get("partitions");
    assertThat(partitions.get(0).get("filesystem").isNull()).isTrue();
    assertThat(partitions.get(1).get("filesystem").asText()).isEqualTo("ext4");
    assertThat(partitions.get(1).get("label").asText()).isEqualTo("vdisk-test");
    assertThat(partitions.get(1).get("uuid").asText()).isEqualTo(UUID);

    CliRunner byDefault = CliRunner.run("ls", disk.toString(), "/names");
    CliRunner chosen = CliRunner.run("ls", "--partition", "2", disk.toString(), "/names");
    assertThat(byDefault.exitCode()).as(byDefault.err()).isZero();
    assertThat(byDefault.out()).isEqualTo(chosen.out()).contains("grüße-日本語-ελληνικά.txt");
    CliRunner wrong = CliRunner.run("ls", "--partition", "1", disk.toString(), "/");
    assertThat(wrong.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
  }

  /** Path → type, mode, owner (as root), mtime, and content digest or link target. */
  private static Map<String, String> describeTree(Path root) throws Exception {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        String rel = "/" + root.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        StringBuilder d = new StringBuilder(ImageFiles.modeString(mode));
        if (isRoot()) {
          d.append(' ').append(a.get("uid")).append(':').append(a.get("gid"));
        }
        d.append(' ').append(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
        if (Files.isSymbolicLink(p)) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(' ').append(Files.size(p)).append(' ').append(sha256(p));
        }
        if (rel.equals("/")) {
          d.setLength(0); // the root directory itself is the destination folder
        }
        tree.put(rel, d.toString());
      }
    }
    return tree;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
