package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.tx.Transaction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code vdisk apply} relies on in every image format: opening an image for writing and
 * closing it without a commit leaves its bytes unchanged (no header is rewritten on open: VMDK
 * marks {@code uncleanShutdown} and VHDX its FileWriteGuid only on the first write), so a
 * discarded {@link Transaction} on it leaves the file's SHA-256 as it was; a committed one makes
 * the image read as the overlay did.
 */
class TransactionOnFormatsTest {
  @TempDir Path dir;

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static byte[] readAll(dev.vdisk.core.BlockDevice d) throws Exception {
    byte[] all = new byte[(int) d.size()];
    d.read(0, ByteBuffer.wrap(all));
    return all;
  }

  @ParameterizedTest
  @CsvSource({"raw,", "vmdk,monolithicSparse", "vmdk,monolithicFlat", "vhdx,dynamic",
      "vhdx,fixed", "vhd,dynamic", "vhd,fixed"})
  void discardLeavesTheFileUnchangedAndCommitWrites(String format, String variant)
      throws Exception {
    long seed = System.nanoTime();
    System.out.println("TransactionOnFormatsTest seed " + seed + " " + format + " " + variant);
    Random rnd = new Random(seed);
    Path image = dir.resolve("disk." + format);
    int size = 8 << 20;
    try (VirtualDisk d = VirtualDisks.byName(format).orElseThrow()
        .create(image, new CreateSpec(size, variant, 0))) {
      byte[] data = new byte[1 << 20];
      rnd.nextBytes(data);
      d.write(1 << 20, ByteBuffer.wrap(data));
    }
    String before = sha256(image);
    byte[] model;
    try (VirtualDisk d = VirtualDisks.open(image, OpenOptions.readWrite());
        Transaction tx = Transaction.begin(d, dir)) {
      model = readAll(d);
      for (int i = 0; i < 50; i++) {
        byte[] b = new byte[1 + rnd.nextInt(20000)];
        rnd.nextBytes(b);
        int off = rnd.nextInt(size - b.length);
        tx.write(off, ByteBuffer.wrap(b));
        System.arraycopy(b, 0, model, off, b.length);
      }
      assertThat(readAll(tx)).isEqualTo(model);
      tx.discard();
    }
    assertThat(sha256(image)).as("discarded: the file is unchanged").isEqualTo(before);
    try (VirtualDisk d = VirtualDisks.open(image, OpenOptions.readWrite());
        Transaction tx = Transaction.begin(d, dir)) {
      tx.write(4096 * 3 + 17, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      model = readAll(tx);
      tx.commit(Transaction.record(image));
    }
    assertThat(Files.exists(Transaction.record(image))).isFalse();
    try (VirtualDisk d = VirtualDisks.open(image)) {
      assertThat(readAll(d)).isEqualTo(model);
    }
  }
}
