package dev.vdisk.ext4;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.ext4.internal.Crc32c;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** The seed images made by {@code make-ext4-fuzz-seeds.sh}, and a bounded whole-volume walk. */
final class Ext4Fixtures {
  private Ext4Fixtures() {}

  static byte[] resource(String path) {
    try (InputStream in = Ext4Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      InputStream body = path.endsWith(".gz") ? new GZIPInputStream(in) : in;
      return body.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] seed(String target, String name) {
    return resource("Ext4FuzzTestInputs/" + target + "/" + name);
  }

  static MemoryBlockDevice device(byte[] image) {
    return new MemoryBlockDevice(image, false, "test.img", 512);
  }

  /** Recomputes the superblock checksum after an edit (metadata_csum). */
  static void fixSuperblockChecksum(byte[] image) {
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1024 + 0x3FC, Crc32c.update(~0, image, 1024, 0x3FC));
  }

  static int incompat(byte[] image) {
    return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(1024 + 0x60);
  }

  static void setIncompat(byte[] image, int value) {
    ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(1024 + 0x60, value);
  }

  /**
   * Mounts and visits every node once (at most {@code maxNodes}), reading attributes, xattrs,
   * link targets and up to 256 KiB of each file. Typed errors are acceptable; anything else
   * propagates.
   */
  static int walk(byte[] image, int maxNodes) throws IOException {
    Ext4Driver driver = new Ext4Driver();
    MemoryBlockDevice device = device(image);
    if (driver.probe(device) == Ext4Driver.NO) {
      return 0;
    }
    driver.identify(device);
    int visited = 0;
    try (Volume v = driver.mount(device, MountOptions.defaults())) {
      Deque<Node> todo = new ArrayDeque<>();
      Set<Long> seen = new HashSet<>();
      todo.add(v.root());
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (!todo.isEmpty() && visited < maxNodes) {
        Node n = todo.poll();
        if (!seen.add(n.id())) {
          continue;
        }
        visited++;
        try {
          v.attributes(n);
          v.extendedAttributes(n);
          if (n.type() == NodeType.DIRECTORY) {
            for (DirectoryEntry e : v.list(n)) {
              v.lookup(n, e.name());
              try {
                todo.add(v.node(e.id()));
              } catch (CorruptStructureException bad) {
                // a corrupt child inode
              }
            }
          } else if (n.type() == NodeType.SYMBOLIC_LINK) {
            v.readSymbolicLink(n);
          } else if (n.type() == NodeType.REGULAR_FILE) {
            long pos = 0;
            for (int i = 0; i < 4; i++) {
              buf.clear();
              int r = v.read(n, pos, buf);
              if (r <= 0) {
                break;
              }
              pos += r;
            }
          }
        } catch (VdiskException | FileSystemException | EOFException expected) {
          // typed error for one node: keep walking the others
        }
      }
    }
    return visited;
  }

  /**
   * An image made by {@code mke2fs -d} (with {@code options}, {@code size} such as "32M") from a
   * tree holding one file, {@code hello.txt}.
   */
  static java.nio.file.Path mke2fsWithHello(java.nio.file.Path work, String name, String options,
      String size) throws Exception {
    java.nio.file.Path src = java.nio.file.Files.createDirectories(work.resolve("src"));
    java.nio.file.Files.writeString(src.resolve("hello.txt"), "hello\n");
    java.nio.file.Path image = work.resolve(name + ".img");
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("mke2fs", "-q",
        "-F"));
    cmd.addAll(java.util.List.of(options.split(" ")));
    cmd.addAll(java.util.List.of("-d", src.toString(), image.toString(), size));
    dev.vdisk.testdata.Oracles.runOk(cmd.toArray(new String[0]));
    return image;
  }
}
