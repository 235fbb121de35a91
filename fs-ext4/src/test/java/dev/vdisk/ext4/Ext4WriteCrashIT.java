package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.util.ForwardingBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interrupted writes: a create batch (a file, a directory, a file inside it) committed through
 * the journal is cut off after every possible number of device writes (the device stops taking
 * writes, as at power loss). After each cut, {@code e2fsck -fy} recovers the image and then
 * {@code e2fsck -fn} finds it clean, and the batch is either entirely absent or entirely present
 * ({@code debugfs ls}).
 */
class Ext4WriteCrashIT {
  @TempDir Path work;

  /** A device that silently drops every write after the first {@code limit}. */
  static final class CutDevice extends ForwardingBlockDevice {
    final int limit;
    int writes;

    CutDevice(MemoryBlockDevice inner, int limit) {
      super(inner);
      this.limit = limit;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      if (writes++ < limit) {
        delegate.write(offset, src);
      } else {
        throw new IOException("power cut after " + limit + " writes");
      }
    }

    @Override
    public void flush() {}

    @Override
    public String description() {
      return "cut-device";
    }

    @Override
    public void close() {}
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext3-1k,-t ext3 -b 1024",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg'",
  })
  void everyCutRecoversToAllOrNothing(String name, String options) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "16M");
    byte[] original = Files.readAllBytes(image);
    int total = -1;
    int absent = 0;
    int present = 0;
    for (int limit = 0; total < 0 || limit <= total; limit++) {
      byte[] bytes = original.clone();
      CutDevice dev = new CutDevice(new MemoryBlockDevice(bytes, true, name, 512), limit);
      boolean finished;
      try {
        Ext4Writer w = Ext4Writer.open(dev);
        w.createFile(2, "newfile", 0644);
        long d = w.createDirectory(2, "newdir", 0755);
        w.createFile(d, "inner", 0644);
        w.commit();
        finished = true;
      } catch (IOException e) {
        assertThat(e).hasMessageContaining("power cut");
        finished = false;
      }
      if (finished) {
        total = dev.writes;
      }
      Path cut = work.resolve("cut.img");
      Files.write(cut, bytes);
      Oracles.Result fy = Oracles.run("e2fsck", "-fy", cut.toString());
      assertThat(fy.exitCode()).as("e2fsck -fy after %d writes:%n%s", limit,
          new String(fy.out(), StandardCharsets.UTF_8)).isLessThanOrEqualTo(1);
      Oracles.Result fn = Oracles.run("e2fsck", "-fn", cut.toString());
      assertThat(fn.exitCode()).as("e2fsck -fn after %d writes:%n%s", limit,
          new String(fn.out(), StandardCharsets.UTF_8)).isZero();
      String root = Oracles.runOk("debugfs", "-R", "ls -l /", cut.toString());
      boolean hasFile = root.contains("newfile");
      boolean hasDir = root.contains("newdir");
      assertThat(hasFile).as("all or nothing after %d writes", limit).isEqualTo(hasDir);
      if (hasDir) {
        assertThat(Oracles.runOk("debugfs", "-R", "ls -l /newdir", cut.toString()))
            .contains("inner");
        present++;
      } else {
        absent++;
      }
      if (finished) {
        assertThat(hasDir).isTrue();
      }
      assertThat(limit).isLessThan(200);
    }
    System.out.printf("%s: %d cut points, %d recovered to nothing, %d to the whole batch%n",
        name, total + 1, absent, present);
    assertThat(absent).isPositive();
    assertThat(present).isGreaterThan(1);
  }
}
