package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.ntfs.internal.InterixFile;
import dev.vdisk.ntfs.internal.ReparsePoint;
import dev.vdisk.ntfs.internal.ReparsePoint.Link;
import dev.vdisk.ntfs.internal.ReparsePoint.Target;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle test of {@link ReparsePoint} and {@link InterixFile} against ntfs-3g: reparse data planted
 * through {@code setfattr -n system.ntfs_reparse_data} (symlinks, junctions, WOF, dedup), read back
 * raw by sleuthkit's {@code icat} and parsed here, with the link targets compared with what the
 * ntfs-3g mount shows ({@code readlink}); and the Interix symlinks, devices, FIFOs and sockets
 * ntfs-3g itself makes ({@code ln -s}, {@code mknod}, {@code mkfifo}, a socket bind) plus hand-made
 * look-alikes, parsed from {@code icat}'s bytes and fsntfsinfo's file attributes and compared with
 * {@code stat} and {@code readlink} on the mount.
 */
class NtfsReparseIT {
  @TempDir Path dir;

  /** A planted reparse point: the file, whether a directory, the data. */
  private record Plant(String name, boolean directory, byte[] data) {}

  static byte[] link(int tag, String substitute, String print, Integer flags) {
    byte[] s = substitute.getBytes(StandardCharsets.UTF_16LE);
    byte[] p = print.getBytes(StandardCharsets.UTF_16LE);
    int header = flags == null ? 8 : 12;
    int length = header + s.length + 2 + p.length + 2;
    ByteBuffer b = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(tag).putShort((short) length).putShort((short) 0);
    b.putShort((short) 0).putShort((short) s.length).putShort((short) (s.length + 2))
        .putShort((short) p.length);
    if (flags != null) {
      b.putInt(flags);
    }
    b.put(s).putShort((short) 0).put(p).putShort((short) 0);
    return b.array();
  }

  static byte[] lxSymlink(String target) {
    byte[] t = target.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(12 + t.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(ReparsePoint.IO_REPARSE_TAG_LX_SYMLINK).putShort((short) (4 + t.length))
        .putShort((short) 0).putInt(2).put(t).array();
  }

  static byte[] wof(int algorithm) {
    return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(ReparsePoint.IO_REPARSE_TAG_WOF).putShort((short) 16).putShort((short) 0)
        .putInt(1).putInt(2).putInt(1).putInt(algorithm).array();
  }

  @Test
  void reparsePoints() throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.require("setfattr", "attr");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "reparse.img", 16);
    int junction = ReparsePoint.IO_REPARSE_TAG_MOUNT_POINT;
    int symlink = ReparsePoint.IO_REPARSE_TAG_SYMLINK;
    List<Plant> plants = List.of(
        new Plant("j-here", true, link(junction, "\\??\\C:\\dir\\x", "C:\\dir\\x", null)),
        new Plant("j-other", true, link(junction, "\\??\\D:\\other", "D:\\other", null)),
        new Plant("j-root", true, link(junction, "\\??\\E:\\", "E:\\", null)),
        new Plant("s-abs", false, link(symlink, "\\??\\C:\\dir\\x", "C:\\dir\\x", 0)),
        new Plant("s-abs-file", false,
            link(symlink, "\\??\\F:\\dir\\file.txt", "F:\\dir\\file.txt", 0)),
        new Plant("s-rel", false, link(symlink, "dir\\x", "dir\\x", 1)),
        new Plant("s-rel-file", false, link(symlink, "dir\\file.txt", "dir\\file.txt", 1)),
        new Plant("sub/s-up", false, link(symlink, "..\\dir\\x", "..\\dir\\x", 1)),
        new Plant("sub/s-up-file", false,
            link(symlink, "..\\dir\\file.txt", "..\\dir\\file.txt", 1)),
        new Plant("w0", false, wof(0)), new Plant("w1", false, wof(1)),
        new Plant("w2", false, wof(2)), new Plant("w3", false, wof(3)),
        new Plant("dedup", false, HexFormat.of().parseHex("1300008008000000a1a2a3a4a5a6a7a8")),
        new Plant("lx-link", false, lxSymlink("../some/tärget")),
        new Plant("lx-abs", false, lxSymlink("/usr/bin/ü")));
    Path mnt = dir.resolve("mnt");
    try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, mnt, "")) {
      Files.createDirectories(m.dir.resolve("dir/x"));
      Files.createDirectories(m.dir.resolve("sub"));
      Files.writeString(m.dir.resolve("dir/file.txt"), "target\n");
      for (Plant p : plants) {
        Path f = m.dir.resolve(p.name());
        if (p.directory()) {
          Files.createDirectory(f);
        } else {
          Files.createFile(f);
        }
        Oracles.runOk("setfattr", "-n", "system.ntfs_reparse_data", "-v",
            "0x" + HexFormat.of().formatHex(p.data()), f.toString());
      }
    }
    Map<String, String> shown = new LinkedHashMap<>();
    Map<String, Long> inodes = new LinkedHashMap<>();
    try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, mnt, "")) {
      for (Plant p : plants) {
        Path f = m.dir.resolve(p.name());
        shown.put(p.name(), Files.readSymbolicLink(f).toString());
        inodes.put(p.name(), Long.parseLong(
            Oracles.runOk("stat", "-c", "%i", f.toString()).trim()));
        String hex = Oracles.runOk("getfattr", "-h", "-e", "hex", "-n",
            "system.ntfs_reparse_data", f.toString());
        assertThat(hex).contains("0x" + HexFormat.of().formatHex(p.data()));
      }
    }
    int links = 0;
    for (Plant p : plants) {
      byte[] raw = NtfsMetaTools.icat(image, inodes.get(p.name()), 0xc0, null);
      assertThat(raw).as(p.name()).isEqualTo(p.data());
      ReparsePoint rp = ReparsePoint.parse(ByteBuffer.wrap(raw), image.toString(), 0);
      assertThat(rp.tag()).isEqualTo(ByteBuffer.wrap(p.data()).order(ByteOrder.LITTLE_ENDIAN)
          .getInt(0));
      String ntfs3g = shown.get(p.name());
      if (rp.content() instanceof Link link) {
        Target t = ReparsePoint.translateTarget(link, null,
            path -> (p.directory() ? List.of("/dir", "/dir/x", "/sub")
                : List.of("/dir/file.txt")).contains(path));
        String expected = t.path().startsWith("/") ? mnt + t.path() : t.path();
        assertThat(ntfs3g).as("%s: %s", p.name(), t).isEqualTo(expected);
        assertThat(link.printName()).isNotNull();
        links++;
      } else if (rp.content() instanceof ReparsePoint.LxSymlink lx) {
        assertThat(ntfs3g).as(p.name()).isEqualTo(lx.target());
        assertThat(lx.version()).isEqualTo(2);
      } else {
        // ntfs-3g without plugins shows other tags as a symlink to this text
        assertThat(ntfs3g).isEqualTo(String.format("unsupported reparse tag 0x%08x", rp.tag()));
        if (rp.content() instanceof ReparsePoint.Wof w) {
          assertThat(w.provider()).isEqualTo(ReparsePoint.WOF_PROVIDER_FILE);
          assertThat(w.chunkSize()).isEqualTo(
              new int[] {4096, 32768, 8192, 16384}[p.name().charAt(1) - '0']);
        } else {
          assertThat(rp.content()).isInstanceOf(ReparsePoint.Dedup.class);
        }
      }
    }
    assertThat(links).isEqualTo(9);
  }

  @Test
  void interixFiles() throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.require("setfattr", "attr");
    Oracles.require("fsntfsinfo", "libfsntfs-utils");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "interix.img", 16);
    Path mnt = dir.resolve("mnt");
    List<String> names = new ArrayList<>();
    try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, mnt, "")) {
      Path d = m.dir;
      Files.writeString(d.resolve("file"), "x");
      Files.createSymbolicLink(d.resolve("ln-rel"), Path.of("file"));
      Files.createSymbolicLink(d.resolve("ln-abs"), Path.of("/tmp/some/where"));
      Files.createSymbolicLink(d.resolve("ln-unicode"), Path.of("日本語/ü/\uD83D\uDE00"));
      Files.createSymbolicLink(d.resolve("ln-long"), Path.of("d/".repeat(600) + "end"));
      Oracles.runOk("mkfifo", d.resolve("fifo").toString());
      Oracles.runOk("mknod", d.resolve("chr").toString(), "c", "4", "5");
      Oracles.runOk("mknod", d.resolve("blk").toString(), "b", "259", "65537");
      try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        s.bind(UnixDomainSocketAddress.of(d.resolve("sock")));
      }
      // hand-made look-alikes: ntfs-3g's rules on attributes and sizes decide
      plant(d, "plain-intx", "496e74784c4e4b0166006900", null);
      plant(d, "sys-8-bytes", "496e74784c4e4b01", "0x04000000");
      plant(d, "sys-hidden-empty", "", "0x06000000");
      plant(d, "sys-hidden-one", "00", "0x06000000");
      plant(d, "sys-hidden-chr", "496e74784348520001000000000000000200000000000000", "0x06000000");
      plant(d, "plain-chr", "496e74784348520001000000000000000200000000000000", null);
      plant(d, "sys-chr-25", "496e747843485200010000000000000002000000000000000000", "0x04000000");
      plant(d, "sys-hidden-blk", "496e7478424c4b0007000000000000000800000000000000",
          "0x06000000");
      plant(d, "sys-odd-link", "496e74784c4e4b0161006200", "0x04000000");
      plant(d, "sys-other", "0102030405060708090a", "0x04000000");
      String intxLnk = "496e74784c4e4b01";
      plant(d, "sys-link-4000", intxLnk + "6100".repeat(4000), "0x04000000");
      plant(d, "sys-link-4097", intxLnk + "6100".repeat(4097), "0x04000000");
      // seeded random look-alikes: magic, size and attributes varied around ntfs-3g's rules
      long seed = new java.util.Random().nextLong();
      System.out.println("NtfsReparseIT.interixFiles seed " + seed);
      java.util.Random r = new java.util.Random(seed);
      String[] magics = {"496e74784c4e4b01", "496e74784348520", "496e7478424c4b00",
          "496e747843485200", "496e74784c4e4b00", "0000000000000000"};
      for (int i = 0; i < 30; i++) {
        String magic = magics[r.nextInt(magics.length)];
        int extra = new int[] {0, 1, 2, 15, 16, 17, 40}[r.nextInt(7)];
        StringBuilder hex = new StringBuilder(r.nextInt(5) == 0 ? "" : magic);
        if (hex.length() % 2 == 1) {
          hex.append('0');
        }
        for (int k = 0; k < extra; k++) {
          hex.append(String.format("%02x", 0x20 + r.nextInt(0x5f)));
        }
        String attrib = new String[] {null, "0x04000000", "0x06000000", "0x02000000",
            "0x24000000"}[r.nextInt(5)];
        plant(d, "random-" + i, hex.toString(), attrib);
      }
      try (var list = Files.list(d)) {
        list.forEach(p -> names.add(p.getFileName().toString()));
      }
    }
    Map<String, String[]> stat = new LinkedHashMap<>();
    Map<String, String> readlink = new LinkedHashMap<>();
    try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, mnt, "")) {
      for (String n : names) {
        Path f = m.dir.resolve(n);
        stat.put(n, Oracles.runOk("stat", "-c", "%F|%t|%T|%i", f.toString()).trim()
            .split("\\|"));
        if (Files.isSymbolicLink(f)) {
          readlink.put(n, Files.readSymbolicLink(f).toString());
        }
      }
    }
    int special = 0;
    for (String n : names) {
      String[] st = stat.get(n);
      long inode = Long.parseLong(st[3]);
      String info = Oracles.runOk("fsntfsinfo", "-E", Long.toString(inode), image.toString());
      Matcher flags = Pattern.compile("File attribute flags\\s*: 0x([0-9a-f]+)").matcher(info);
      assertThat(flags.find()).as(info).isTrue();
      int attributes = Integer.parseUnsignedInt(flags.group(1), 16);
      byte[] data = NtfsMetaTools.icat(image, inode, 128, null);
      InterixFile f = InterixFile.parse(attributes, ByteBuffer.wrap(data), data.length,
          image.toString(), 0);
      String type = switch (f.type()) {
        case FIFO -> "fifo";
        case SOCKET -> "socket";
        case SYMLINK -> "symbolic link";
        case CHARACTER_DEVICE -> "character special file";
        case BLOCK_DEVICE -> "block special file";
        case REGULAR -> data.length == 0 ? "regular empty file" : "regular file";
      };
      assertThat(st[0]).as("%s (attributes 0x%x, %d bytes)", n, attributes, data.length)
          .isEqualTo(type);
      if (f.type() == InterixFile.Type.SYMLINK) {
        assertThat(readlink.get(n)).as(n).isEqualTo(f.displayTarget());
      }
      if (f.type() == InterixFile.Type.CHARACTER_DEVICE
          || f.type() == InterixFile.Type.BLOCK_DEVICE) {
        // through FUSE's 32-bit rdev the mount shows 12 bits of the major, 20 of the minor
        assertThat(Long.parseLong(st[1], 16)).as(n).isEqualTo(f.major() & 0xfff);
        assertThat(Long.parseLong(st[2], 16)).as(n).isEqualTo(f.minor() & 0xfffff);
      }
      special += f.type() == InterixFile.Type.REGULAR ? 0 : 1;
    }
    assertThat(special).as("special files among " + names).isGreaterThanOrEqualTo(10);
  }

  private static void plant(Path d, String name, String hex, String attrib) throws IOException {
    Path f = d.resolve(name);
    Files.write(f, HexFormat.of().parseHex(hex));
    if (attrib != null) {
      Oracles.runOk("setfattr", "-n", "system.ntfs_attrib", "-v", attrib, f.toString());
    }
  }
}
