package dev.vdisk.ntfs;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Oracle plumbing shared by the metadata ITs: mkntfs, ntfs-3g mounts, sleuthkit istat/icat. */
final class NtfsMetaTools {
  private NtfsMetaTools() {}

  static void requireTools() {
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("istat", "sleuthkit");
    Oracles.require("icat", "sleuthkit");
  }

  /** Makes an empty volume of {@code mib} MiB with mkntfs. */
  static Path mkntfs(Path dir, String name, int mib) throws IOException {
    Path image = dir.resolve(name);
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[1]), (long) mib * 1024 * 1024 - 1);
    }
    Oracles.runOk("mkntfs", "-F", "-Q", image.toString());
    return image;
  }

  /** A mount of an image by ntfs-3g; closing unmounts. */
  static final class Mount implements AutoCloseable {
    final Path dir;

    Mount(Path image, Path dir, String options) throws IOException {
      this.dir = Files.createDirectories(dir);
      if (options == null || options.isEmpty()) {
        Oracles.runOk("ntfs-3g", image.toString(), dir.toString());
      } else {
        Oracles.runOk("ntfs-3g", "-o", options, image.toString(), dir.toString());
      }
    }

    @Override
    public void close() {
      Oracles.runOk("umount", dir.toString());
    }
  }

  /** {@return the attribute id of the first attribute of {@code type} named {@code name} (or unnamed)} */
  static Optional<Integer> attributeId(Path image, long entry, int type, String name) {
    String istat = Oracles.runOk("istat", image.toString(), Long.toString(entry));
    Pattern p = Pattern.compile("Type: \\S+ \\(" + type + "-(\\d+)\\)\\s+Name: (\\S+)");
    Matcher m = p.matcher(istat);
    while (m.find()) {
      if (m.group(2).equals(name == null ? "N/A" : name)) {
        return Optional.of(Integer.parseInt(m.group(1)));
      }
    }
    return Optional.empty();
  }

  /** {@return the bytes of an attribute's value by icat} */
  static byte[] icat(Path image, long entry, int type, int id) {
    return Oracles.run("icat", image.toString(), entry + "-" + type + "-" + id).out();
  }

  /** {@return the bytes of an attribute's value by icat, found by type and name} */
  static byte[] icat(Path image, long entry, int type, String name) {
    int id = attributeId(image, entry, type, name).orElseThrow(() -> new AssertionError(
        "no attribute " + type + " " + name + " in entry " + entry + " of " + image));
    return icat(image, entry, type, id);
  }
}
