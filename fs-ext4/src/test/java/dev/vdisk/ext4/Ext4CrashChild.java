package dev.vdisk.ext4;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.util.ForwardingBlockDevice;
import dev.vdisk.core.tx.RedoLogDevice;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * The child JVM of {@link Ext4KillCrashIT}: opens a raw ext image for writing and runs a
 * seeded batch of changes (directories, files written in several pieces, mode and time changes,
 * a flush after each file), printing {@code DONE path sha256} once a file's flush returned. With
 * a kill point N it halts the JVM (no shutdown hooks, no flush) just before the Nth device
 * write to the image (a crash while the redo record itself is written is covered by
 * RedoLogDeviceTest); without one it prints {@code WRITES n} at the end.
 *
 * <p>Arguments: IMAGE SEED FILES [KILL_AT].
 */
public final class Ext4CrashChild {
  private Ext4CrashChild() {}

  /** A device that halts the JVM before its Nth write. */
  private static final class KillDevice extends ForwardingBlockDevice {
    private final long killAt;
    long writes;

    KillDevice(BlockDevice inner, long killAt) {
      super(inner);
      this.killAt = killAt;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      if (++writes == killAt) {
        Runtime.getRuntime().halt(137);
      }
      delegate.write(offset, src);
    }
  }

  /**
   * Runs the batch.
   *
   * @param args IMAGE SEED FILES [KILL_AT]
   * @throws Exception on failure (exit status 1)
   */
  public static void main(String[] args) throws Exception {
    Path image = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int files = Integer.parseInt(args[2]);
    long killAt = args.length > 3 ? Long.parseLong(args[3]) : -1;
    PrintStream out = System.out;
    Random rnd = new Random(seed);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite())) {
      KillDevice kill = new KillDevice(disk, killAt);
      // as VdiskFileSystems mounts an image for writing: through its redo record, which a file
      // system without a journal (ext2) commits its metadata through
      BlockDevice dev = RedoLogDevice.open(kill, VdiskFileSystems.redoRecord(image, 0));
      try (Volume v = new Ext4Driver().mount(dev, new MountOptions(false, 8 << 20))) {
        Node root = v.root();
        Node dir = root;
        for (int i = 0; i < files; i++) {
          if (i % 5 == 0) {
            dir = v.create(root, "d" + i, NodeType.DIRECTORY, 0755);
          }
          String name = "f" + i;
          Node f = v.create(dir, name, NodeType.REGULAR_FILE, 0644);
          byte[] content = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(200) : rnd.nextInt(300_000)];
          rnd.nextBytes(content);
          int pos = 0;
          while (pos < content.length) {
            int n = Math.min(content.length - pos, 1 + rnd.nextInt(100_000));
            v.write(f, pos, ByteBuffer.wrap(content, pos, n));
            pos += n;
          }
          v.setMode(f, 0600 + rnd.nextInt(0100));
          v.flush();
          String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
              .digest(content));
          out.println("DONE /d" + (i - i % 5) + "/" + name + " " + sha);
          out.flush();
        }
      }
      out.println("WRITES " + kill.writes);
    }
  }
}
