package dev.vdisk.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Assertions;

/**
 * The NTFS acceptance fixtures that {@code testdata/scripts/make-ntfs-volume.sh} makes with
 * {@code mkntfs} and fills through an {@code ntfs-3g} mount, built once and cached per variant so
 * several oracle tests (and several runs) share them.
 *
 * <p>The cache is {@code target/ntfs-images/<hash>/} under the working directory (the module's
 * directory when failsafe runs the test), or the directory named by the system property {@code
 * vdisk.ntfsImages}; {@code <hash>} is taken over the generator scripts, so changing a script
 * builds afresh. A file lock makes concurrent test JVMs wait for one another instead of building
 * the same image twice.
 *
 * <p>Building needs root (the FUSE mount) and the tools listed in the script: under {@code CI=true}
 * a missing one fails the test, elsewhere it skips.
 */
public final class NtfsImages {
  private NtfsImages() {}

  /** What the script makes (see its header for the contents). */
  public enum Variant {
    /** 4 KiB clusters, 1 KiB MFT records. */
    DEFAULT("default", ".img", 4096),
    /** 512-byte clusters. */
    C512("c512", ".img", 512),
    /** 64 KiB clusters (no compressed directory: NTFS compresses only with clusters up to 4 KiB). */
    C64K("c64k", ".img", 65536),
    /** 4 KiB clusters and 4 KiB MFT records (made with a 4096-byte sector size). */
    MFT4K("mft4k", ".img", 4096),
    /** 2 MiB clusters (no compressed or fragmented files). */
    C2M("c2m", ".img", 2 << 20),
    /** The default contents in MBR partition 1 (start 1 MiB) of a raw disk. */
    MBR("mbr", ".raw", 4096),
    /** That disk as a dynamic VHD. */
    VHD("vhd", ".vhd", 4096),
    /** That disk as a dynamic VHDX. */
    VHDX("vhdx", ".vhdx", 4096);

    private final String scriptName;
    private final String suffix;
    private final int clusterSize;

    Variant(String scriptName, String suffix, int clusterSize) {
      this.scriptName = scriptName;
      this.suffix = suffix;
      this.clusterSize = clusterSize;
    }

    /**
     * The variant's name as the script takes it.
     *
     * @return the name
     */
    public String scriptName() {
      return scriptName;
    }

    /**
     * The volume's cluster size.
     *
     * @return bytes per cluster
     */
    public int clusterSize() {
      return clusterSize;
    }

    /**
     * Whether the NTFS volume sits in a partition of a disk (MBR, VHD, VHDX) rather than being
     * the whole image.
     *
     * @return {@code true} for a partitioned disk
     */
    public boolean partitioned() {
      return this == MBR || this == VHD || this == VHDX;
    }

    /**
     * Whether the volume holds the compressed directory (clusters of at most 4 KiB).
     *
     * @return {@code true} if {@code /compressed} exists
     */
    public boolean hasCompressed() {
      return clusterSize <= 4096;
    }
  }

  /**
   * Checks that this machine can build the fixtures: root, {@code /dev/fuse} and the tools.
   * Fails under CI, skips elsewhere.
   */
  public static void requireTools() {
    Oracles.requireRoot("mounting NTFS with ntfs-3g (FUSE)");
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("setfattr", "attr");
    Oracles.require("istat", "sleuthkit");
    Oracles.require("ifind", "sleuthkit");
    Oracles.require("sfdisk", "fdisk");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("python3", "python3");
    if (!Files.exists(Path.of("/dev/fuse"))) {
      String message = "/dev/fuse is missing: ntfs-3g cannot mount";
      if (Oracles.isCi()) {
        Assertions.fail("CI=true but " + message);
      }
      org.junit.jupiter.api.Assumptions.abort(message);
    }
  }

  /**
   * The image of a variant, built now unless the cache already holds it.
   *
   * @param variant which
   * @return the image file (do not write to it: other tests share it)
   */
  public static synchronized Path get(Variant variant) {
    requireTools();
    try {
      Path dir = cacheDir();
      if (!Files.isDirectory(dir)) {
        removeStaleCaches(dir);
      }
      Files.createDirectories(dir);
      Path image = dir.resolve(variant.scriptName() + variant.suffix);
      try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (Files.exists(image)) {
          return image;
        }
        Path mbr = null;
        if (variant == Variant.VHD || variant == Variant.VHDX) {
          mbr = dir.resolve(Variant.MBR.scriptName() + Variant.MBR.suffix);
          if (!Files.exists(mbr)) {
            build(Variant.MBR, mbr, null);
          }
        }
        build(variant, image, mbr);
        return image;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void build(Variant variant, Path image, Path mbr) throws IOException {
    Path partial = image.resolveSibling(image.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    String script = ProjectPaths.script("make-ntfs-volume.sh").toString();
    Oracles.Result r = mbr == null
        ? Oracles.run("bash", script, variant.scriptName(), partial.toString())
        : Oracles.run("bash", script, variant.scriptName(), partial.toString(), mbr.toString());
    if (r.exitCode() != 0) {
      Assertions.fail("building the NTFS fixture " + variant.scriptName() + " failed: "
          + r.describe());
    }
    Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the caches older scripts made beside {@code dir} (each holds about 300 MiB). */
  private static void removeStaleCaches(Path dir) throws IOException {
    Path base = dir.getParent();
    if (base == null || !Files.isDirectory(base)) {
      return;
    }
    try (var stale = Files.list(base)) {
      for (Path old : (Iterable<Path>) stale::iterator) {
        if (Files.isDirectory(old) && old.getFileName().toString().matches("[0-9a-f]{16}")) {
          Oracles.run("rm", "-rf", "--one-file-system", old.toString());
        }
      }
    }
  }

  private static Path cacheDir() throws IOException {
    String configured = System.getProperty("vdisk.ntfsImages");
    Path base = configured != null ? Path.of(configured)
        : Path.of("target", "ntfs-images").toAbsolutePath();
    return base.resolve(scriptsHash());
  }

  private static String scriptsHash() throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String name : new String[] {"make-ntfs-volume.sh", "make-ext-source-tree.sh"}) {
        sha.update(Files.readAllBytes(ProjectPaths.script(name)));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
