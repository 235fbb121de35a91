package dev.vdisk.testdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw copy of a GPT disk image laid out as {@code make-debian-inspect-vmdk.sh} builds it (the
 * root file system on partition 2, {@code /boot} on partition 1), checked with {@code e2fsck
 * -fn} and loop-mounted (root, {@code /boot} inside it, {@code /proc}) so that real tools can run
 * in a chroot of it. Needs root; closing unmounts and deletes the raw copy.
 */
public class MountedGuest implements AutoCloseable {
  private final Path raw;
  private final Path root;
  private final List<Path> mounts = new ArrayList<>();

  /**
   * Converts the image to raw with {@code qemu-img}, checks both partitions with {@code e2fsck
   * -fn} (an {@link AssertionError} when either is not clean) and mounts them.
   *
   * @param image the image (any format qemu-img reads)
   * @param dir where the raw copy and the mount point go
   * @param name the name of both ({@code NAME.raw}, {@code NAME-root})
   * @throws IOException if a file cannot be made
   */
  public MountedGuest(Path image, Path dir, String name) throws IOException {
    raw = dir.resolve(name + ".raw");
    Oracles.runOk("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
    for (int p = 1; p <= 2; p++) {
      long[] part = partition(raw, p);
      Path loop = Path.of(Oracles.runOk("losetup", "--show", "-f", "-o",
          String.valueOf(part[0]), "--sizelimit", String.valueOf(part[1]),
          raw.toString()).strip());
      try {
        Oracles.Result fsck = Oracles.run("e2fsck", "-fn", loop.toString());
        if (fsck.exitCode() != 0) {
          throw new AssertionError("partition " + p + " of " + image + " is not clean: "
              + fsck.describe());
        }
      } finally {
        Oracles.run("losetup", "-d", loop.toString());
      }
    }
    root = Files.createDirectories(dir.resolve(name + "-root"));
    try {
      mount(2, root);
      mount(1, root.resolve("boot"));
      Oracles.runOk("mount", "-t", "proc", "proc", root.resolve("proc").toString());
      mounts.add(root.resolve("proc"));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void mount(int partition, Path at) {
    long[] part = partition(raw, partition);
    Oracles.runOk("mount", "-o", "loop,offset=" + part[0] + ",sizelimit=" + part[1],
        raw.toString(), at.toString());
    mounts.add(at);
  }

  /**
   * The raw copy.
   *
   * @return its path
   */
  public Path raw() {
    return raw;
  }

  /**
   * Where the guest's root is mounted.
   *
   * @return the mount point
   */
  public Path root() {
    return root;
  }

  /**
   * Runs a command in a chroot of the guest and fails when it does.
   *
   * @param command the command and its arguments
   * @return its standard output
   */
  public String chroot(String... command) {
    List<String> c = new ArrayList<>(List.of("chroot", root.toString()));
    c.addAll(List.of(command));
    return Oracles.runOk(c.toArray(String[]::new));
  }

  /**
   * A partition's byte offset and length, as {@code partx} reads the table.
   *
   * @param raw a raw disk image
   * @param n the partition number (1-based)
   * @return {offset, length} in bytes
   */
  public static long[] partition(Path raw, int n) {
    String[] f = Oracles.runOk("partx", "-g", "-o", "START,SECTORS", "-n", String.valueOf(n),
        raw.toString()).strip().split("\\s+");
    return new long[] {Long.parseLong(f[0]) * 512, Long.parseLong(f[1]) * 512};
  }

  /** Unmounts everything and deletes the raw copy. */
  @Override
  public void close() throws IOException {
    for (int i = mounts.size() - 1; i >= 0; i--) {
      Oracles.run("umount", mounts.get(i).toString());
    }
    mounts.clear();
    Files.deleteIfExists(raw);
  }
}
