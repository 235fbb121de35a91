package dev.vdisk.inspect.internal.rpm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the seeds of {@link RpmFuzzTest} into {@code RpmFuzzTestInputs/{header,bdb,ndb}}:
 * {@link HeaderBlobs} headers (which rpm lists in {@code RpmHeaderIT}), Berkeley DB hash
 * databases made from them by {@code db5.3_load} (512-byte pages so the headers sit on overflow
 * chains; both byte orders; an empty one), and NDB files laid out as rpm lays them. Run it from
 * the test classpath with the seed directory as the only argument.
 */
public final class MakeRpmFuzzSeeds {
  private MakeRpmFuzzSeeds() {}

  /**
   * Writes the seeds.
   *
   * @param args the output directory
   * @throws Exception if a tool or a write fails
   */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    List<byte[]> blobs = RpmHeaderIT.blobs();
    Path header = Files.createDirectories(out.resolve("header"));
    String[] names = {"plain", "epoch", "gpg-pubkey", "dribbles"};
    for (int i = 0; i < blobs.size(); i++) {
      Files.write(header.resolve(names[i]), blobs.get(i));
    }
    Path bdb = Files.createDirectories(out.resolve("bdb"));
    Path tmp = Files.createTempDirectory("rpm-seeds");
    Files.copy(RpmOracle.bdb(tmp.resolve("le"), blobs.subList(0, 2), 512, false),
        bdb.resolve("db5-hash-le-512"));
    Files.copy(RpmOracle.bdb(tmp.resolve("be"), blobs.subList(2, 4), 512, true),
        bdb.resolve("db5-hash-be-512"));
    Files.copy(RpmOracle.bdb(tmp.resolve("empty"), List.of(), 512, false),
        bdb.resolve("db5-hash-empty-512"));
    Path ndb = Files.createDirectories(out.resolve("ndb"));
    Files.write(ndb.resolve("two-packages"), NdbFiles.build(blobs.subList(0, 2)));
    Files.write(ndb.resolve("empty"), NdbFiles.build(List.of()));
  }
}
