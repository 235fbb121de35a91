package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random operation sequences through the writable ext mount (create, write at random
 * offsets, extend, truncate, unlink, mkdir, rmdir, rename over existing names, symlink, link,
 * chmod, xattr set and remove) on twelve file-system variants: ext2, ext3, ext4 with and without
 * metadata_csum, 1 KiB blocks, inline_data, 64bit with flex_bg, four bigalloc ones (16 KiB
 * clusters of 1 KiB blocks (mke2fs picks 1 KiB blocks for this size) and of 4 KiB blocks, 4 KiB
 * clusters of 1 KiB blocks, 64 KiB clusters with inline_data and without metadata_csum), and
 * metadata_csum_seed with the UUID changed by {@code tune2fs} afterwards. After every 100
 * operations the volume is flushed, {@code e2fsck -fn} must find the image clean (exit 0, and no
 * extent tree it would "Optimize?"), and the tree the kernel sees through a read-only loop mount
 * (types, modes, sizes, contents, link counts, symlink targets, user xattrs) must equal an
 * in-memory model. Seeds are printed; {@code -Dvdisk.seed=N} replays one,
 * {@code -Dvdisk.propertyRuns=N} runs more seeds per variant (the {@code soak} Maven profile runs
 * 20) and {@code -Dvdisk.propertyVariants=REGEX} picks variants by name.
 */
class Ext4OperationsPropertyIT {
  private static final int OPS = Integer.getInteger("vdisk.propertyOps", 2000);
  private static final int CHECK_EVERY = 100;

  @TempDir Path work;

  static Stream<Arguments> variants() {
    String[][] v = {
        {"ext2", "-t ext2 -b 4096"},
        {"ext3", "-t ext3 -b 4096"},
        {"ext4-default", "-t ext4"},
        {"ext4-no-csum", "-t ext4 -O ^metadata_csum"},
        {"ext4-1k", "-t ext4 -b 1024"},
        {"ext4-inline", "-t ext4 -O inline_data"},
        {"ext4-64bit-flexbg", "-t ext4 -O 64bit,flex_bg -G 4 -b 1024"},
        {"ext4-bigalloc", "-t ext4 -O bigalloc -C 16384"},
        {"ext4-bigalloc-4k", "-t ext4 -b 4096 -O bigalloc -C 16384"},
        {"ext4-bigalloc-inline-no-csum", "-t ext4 -b 4096 -O bigalloc,inline_data,^metadata_csum"
            + " -C 65536"},
        {"ext4-bigalloc-1k", "-t ext4 -b 1024 -O bigalloc -C 4096"},
        // the checksum seed kept in the superblock: the UUID changes afterwards, the seed not
        {"ext4-csum-seed-new-uuid", "-t ext4 -O metadata_csum_seed|-U random"},
    };
    String only = System.getProperty("vdisk.propertyVariants");
    int runs = Integer.getInteger("vdisk.propertyRuns", 1);
    Long fixed = Long.getLong("vdisk.seed");
    List<Arguments> out = new ArrayList<>();
    for (String[] x : v) {
      if (only != null && !x[0].matches(only)) {
        continue;
      }
      for (int r = 0; r < runs; r++) {
        long seed = fixed != null ? fixed : (x[0].hashCode() * 31L + r) ^ System.nanoTime();
        out.add(Arguments.of(x[0], x[1], seed));
      }
    }
    return out.stream();
  }

  /** A model inode: shared by its hard links. */
  private static final class M {
    final NodeType type;
    int mode;
    byte[] data = new byte[0];
    String target;
    final Map<String, byte[]> xattrs = new TreeMap<>();
    final Map<String, M> children = new TreeMap<>();
    int links = 1;

    M(NodeType type, int mode) {
      this.type = type;
      this.mode = mode;
    }
  }

  private record Place(M dir, Node dirNode, String path) {}

  @ParameterizedTest(name = "{0} seed {2}")
  @MethodSource("variants")
  void randomOperationsStayCleanAndMatchTheKernelsView(String name, String options, long seed)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("the kernel's view through a loop mount");
    System.out.println("Ext4OperationsPropertyIT " + name + " seed " + seed);
    String[] parts = options.split("\\|");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, parts[0], "96M");
    if (parts.length > 1) {
      List<String> tune = new ArrayList<>(List.of("tune2fs"));
      tune.addAll(List.of(parts[1].trim().split("\\s+")));
      tune.add(image.toString());
      Oracles.runOk(tune.toArray(new String[0]));
    }
    Random rnd = new Random(seed);
    M root = new M(NodeType.DIRECTORY, 0755);
    M hello = new M(NodeType.REGULAR_FILE, 0644);
    hello.data = "hello\n".getBytes(StandardCharsets.UTF_8);
    root.children.put("hello.txt", hello);
    int counter = 0;
    int refusedXattrs = 0;
    Map<String, Integer> kinds = new TreeMap<>();
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      for (int op = 1; op <= OPS; op++) {
        List<Place> dirs = new ArrayList<>();
        collectDirs(v, root, v.root(), "", dirs);
        Place at = dirs.get(rnd.nextInt(dirs.size()));
        int kind = rnd.nextInt(100);
        java.util.function.Predicate<M> fits = kind < 14 ? m -> true
            : kind < 42 || (kind >= 80 && kind < 85) ? m -> m.type == NodeType.REGULAR_FILE
            : kind < 50 ? m -> m.type != NodeType.DIRECTORY
            : kind < 58 ? m -> true
            : kind < 63 ? m -> m.type == NodeType.DIRECTORY && m.children.isEmpty()
            : kind < 80 ? m -> true
            : kind < 96 ? m -> m.type != NodeType.SYMBOLIC_LINK
            : m -> !m.xattrs.isEmpty();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, M> c : at.dir().children.entrySet()) {
          if (fits.test(c.getValue())) {
            names.add(c.getKey());
          }
        }
        String existing = names.isEmpty() ? null : names.get(rnd.nextInt(names.size()));
        M e = existing == null ? null : at.dir().children.get(existing);
        if (e == null && kind >= 14 && !(kind >= 50 && kind < 58) && !(kind >= 73 && kind < 80)) {
          kind = 0; // nothing to work on here: create a file instead
        }
        String fresh = "n" + (counter++)
            + (rnd.nextInt(4) == 0 ? "-" + "y".repeat(rnd.nextInt(200)) : "");
        String what = "";
        try {
          if (kind < 14) {
            what = "create " + at.path() + "/" + fresh;
            int mode = 0600 | rnd.nextInt(0100);
            v.create(at.dirNode(), fresh, NodeType.REGULAR_FILE, mode);
            at.dir().children.put(fresh, new M(NodeType.REGULAR_FILE, mode));
          } else if (kind < 34 && e != null && e.type == NodeType.REGULAR_FILE) {
            long off = rnd.nextInt(4) == 0 ? e.data.length : rnd.nextInt(1 << 19);
            byte[] b = new byte[1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 300_000 : 5000)];
            rnd.nextBytes(b);
            what = "write " + b.length + " at " + off + " into " + at.path() + "/" + existing;
            Node n = v.lookup(at.dirNode(), existing).orElseThrow();
            ByteBuffer src = ByteBuffer.wrap(b);
            while (src.hasRemaining()) {
              v.write(n, off + src.position(), src.slice());
              src.position(src.limit());
            }
            if (off + b.length > e.data.length) {
              e.data = Arrays.copyOf(e.data, (int) (off + b.length));
            }
            System.arraycopy(b, 0, e.data, (int) off, b.length);
          } else if (kind < 42 && e != null && e.type == NodeType.REGULAR_FILE) {
            int size = rnd.nextBoolean() ? rnd.nextInt(e.data.length + 1)
                : e.data.length + rnd.nextInt(1 << 20);
            what = "truncate " + at.path() + "/" + existing + " to " + size;
            v.truncate(v.lookup(at.dirNode(), existing).orElseThrow(), size);
            e.data = Arrays.copyOf(e.data, size);
          } else if (kind < 50 && e != null && e.type != NodeType.DIRECTORY) {
            what = "unlink " + at.path() + "/" + existing;
            v.unlink(at.dirNode(), existing);
            at.dir().children.remove(existing);
            e.links--;
          } else if (kind < 58) {
            what = "mkdir " + at.path() + "/" + fresh;
            int mode = 0700 | rnd.nextInt(0100);
            v.create(at.dirNode(), fresh, NodeType.DIRECTORY, mode);
            at.dir().children.put(fresh, new M(NodeType.DIRECTORY, mode));
          } else if (kind < 63 && e != null && e.type == NodeType.DIRECTORY
              && e.children.isEmpty()) {
            what = "rmdir " + at.path() + "/" + existing;
            v.unlink(at.dirNode(), existing);
            at.dir().children.remove(existing);
          } else if (kind < 73 && e != null) {
            Place to = dirs.get(rnd.nextInt(dirs.size()));
            if (e.type == NodeType.DIRECTORY && (to.path() + "/").startsWith(at.path() + "/"
                + existing + "/")) {
              continue;
            }
            List<String> targets = new ArrayList<>(to.dir().children.keySet());
            String toName = fresh;
            if (!targets.isEmpty() && rnd.nextBoolean()) {
              String t = targets.get(rnd.nextInt(targets.size()));
              M over = to.dir().children.get(t);
              boolean ok = e.type == NodeType.DIRECTORY
                  ? over.type == NodeType.DIRECTORY && over.children.isEmpty()
                  : over.type != NodeType.DIRECTORY;
              if (ok && over != e) {
                toName = t;
              }
            }
            what = "rename " + at.path() + "/" + existing + " to " + to.path() + "/" + toName;
            v.rename(at.dirNode(), existing, to.dirNode(), toName);
            at.dir().children.remove(existing);
            M replaced = to.dir().children.put(toName, e);
            if (replaced != null) {
              replaced.links--;
            }
          } else if (kind < 80) {
            String target = rnd.nextBoolean() ? "../t" + rnd.nextInt(100)
                : "/" + "z".repeat(rnd.nextInt(300) + 1);
            what = "symlink " + at.path() + "/" + fresh + " -> " + target.length() + " bytes";
            v.createSymbolicLink(at.dirNode(), fresh, target);
            M l = new M(NodeType.SYMBOLIC_LINK, 0777);
            l.target = target;
            at.dir().children.put(fresh, l);
          } else if (kind < 85 && e != null && e.type == NodeType.REGULAR_FILE) {
            what = "link " + at.path() + "/" + existing + " as " + fresh;
            v.link(at.dirNode(), fresh, v.lookup(at.dirNode(), existing).orElseThrow());
            at.dir().children.put(fresh, e);
            e.links++;
          } else if (kind < 90 && e != null && e.type != NodeType.SYMBOLIC_LINK) {
            int mode = rnd.nextInt(010000);
            if (e.type == NodeType.DIRECTORY) {
              mode |= 0700;
            }
            what = "chmod " + Integer.toOctalString(mode) + " " + at.path() + "/" + existing;
            v.setMode(v.lookup(at.dirNode(), existing).orElseThrow(), mode);
            e.mode = mode;
          } else if (kind < 96 && e != null && e.type != NodeType.SYMBOLIC_LINK) {
            String xn = "user.k" + rnd.nextInt(6);
            byte[] val = new byte[rnd.nextInt(rnd.nextInt(5) == 0 ? 1500 : 40)];
            rnd.nextBytes(val);
            what = "setxattr " + xn + " (" + val.length + " bytes) on " + at.path() + "/"
                + existing;
            try {
              v.setExtendedAttribute(v.lookup(at.dirNode(), existing).orElseThrow(), xn, val);
              e.xattrs.put(xn, val);
            } catch (java.nio.file.FileSystemException full) {
              // the kernel's limit too: all of an inode's attributes fit in its own area and
              // one block; the refused set must change nothing (the model stays as it was)
              assertThat(full.getMessage()).containsAnyOf("no room", "larger than");
              refusedXattrs++;
            }
          } else if (e != null && !e.xattrs.isEmpty()) {
            String xn = new ArrayList<>(e.xattrs.keySet()).get(rnd.nextInt(e.xattrs.size()));
            what = "removexattr " + xn + " on " + at.path() + "/" + existing;
            v.removeExtendedAttribute(v.lookup(at.dirNode(), existing).orElseThrow(), xn);
            e.xattrs.remove(xn);
          }
          if (!what.isEmpty()) {
            kinds.merge(what.substring(0, what.indexOf(' ')), 1, Integer::sum);
          }
        } catch (IOException | RuntimeException ex) {
          throw new AssertionError(name + " seed " + seed + " op " + op + " (" + what + "): "
              + ex, ex);
        }
        if (op % CHECK_EVERY == 0) {
          v.flush();
          check(image, root, name + " seed " + seed + " after op " + op);
        }
      }
    }
    check(image, root, name + " seed " + seed + " after closing");
    System.out.println("Ext4OperationsPropertyIT " + name + ": " + kinds + ", "
        + refusedXattrs + " xattr sets refused for want of room");
    if (OPS >= 1000) {
      assertThat(kinds.keySet()).as("every kind of operation ran").containsExactlyInAnyOrder(
          "create", "write", "truncate", "unlink", "mkdir", "rmdir", "rename", "symlink", "link",
          "chmod", "setxattr", "removexattr");
    }
  }

  private static void collectDirs(Volume v, M dir, Node node, String path, List<Place> out)
      throws IOException {
    out.add(new Place(dir, node, path));
    for (Map.Entry<String, M> c : dir.children.entrySet()) {
      if (c.getValue().type == NodeType.DIRECTORY) {
        collectDirs(v, c.getValue(), v.lookup(node, c.getKey()).orElseThrow(),
            path + "/" + c.getKey(), out);
      }
    }
  }

  private void check(Path image, M root, String when) throws Exception {
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn %s:%n%s", when, out).isZero();
    assertThat(out).as("e2fsck -fn %s", when).doesNotContain("Optimize?");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      compare(mnt, root, when);
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  private static void compare(Path dir, M model, String when) throws IOException {
    Map<String, Path> seen = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> seen.put(p.getFileName().toString(), p));
    }
    seen.remove("lost+found");
    assertThat(seen.keySet()).as("entries of %s %s", dir, when)
        .containsExactlyInAnyOrderElementsOf(model.children.keySet());
    for (Map.Entry<String, M> c : model.children.entrySet()) {
      Path p = seen.get(c.getKey());
      M m = c.getValue();
      Map<String, Object> unix = Files.readAttributes(p, "unix:mode,nlink,size",
          LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) unix.get("mode");
      switch (m.type) {
        case DIRECTORY -> {
          assertThat(mode & 0170000).as("%s %s", p, when).isEqualTo(0040000);
          compare(p, m, when);
        }
        case SYMBOLIC_LINK -> assertThat(Files.readSymbolicLink(p).toString())
            .as("%s %s", p, when).isEqualTo(m.target);
        default -> {
          assertThat(mode & 0170000).as("%s %s", p, when).isEqualTo(0100000);
          assertThat((Integer) unix.get("nlink")).as("links of %s %s", p, when)
              .isEqualTo(m.links);
          byte[] data = Files.readAllBytes(p);
          assertThat(data.length).as("size of %s %s", p, when).isEqualTo(m.data.length);
          assertThat(Arrays.equals(data, m.data)).as("content of %s %s", p, when).isTrue();
        }
      }
      if (m.type != NodeType.SYMBOLIC_LINK) {
        assertThat(mode & 07777).as("mode of %s %s", p, when).isEqualTo(m.mode);
        UserDefinedFileAttributeView x = Files.getFileAttributeView(p,
            UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        Map<String, byte[]> got = new TreeMap<>();
        for (String n : x.list()) {
          ByteBuffer b = ByteBuffer.allocate(x.size(n));
          x.read(n, b);
          got.put("user." + n, b.array());
        }
        assertThat(got.keySet()).as("xattrs of %s %s", p, when)
            .containsExactlyElementsOf(m.xattrs.keySet());
        for (String n : got.keySet()) {
          assertThat(got.get(n)).as("xattr %s of %s %s", n, p, when).isEqualTo(m.xattrs.get(n));
        }
      }
    }
  }
}
