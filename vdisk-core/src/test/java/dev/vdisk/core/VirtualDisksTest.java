package dev.vdisk.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.raw.RawDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualDisksTest {
  @TempDir Path dir;

  /** A test format recognised by the signature "MAGIC!" at offset 0; it opens as raw. */
  public static final class MagicFormat implements DiskFormat {
    @Override
    public String name() {
      return "magic";
    }

    @Override
    public int probe(Path file, FileChannel channel) throws IOException {
      ByteBuffer head = ByteBuffer.allocate(6);
      channel.read(head, 0);
      return new String(head.array(), StandardCharsets.US_ASCII).equals("MAGIC!") ? CERTAIN : NO;
    }

    @Override
    public VirtualDisk open(Path file, OpenOptions options) throws IOException {
      return RawDisk.open(file, options.writable());
    }
  }

  @Test
  void formatComesFromContentNotFromTheFileName() throws Exception {
    Path lookslikeVhd = dir.resolve("disk.vhd");
    Files.write(lookslikeVhd, new byte[512]);
    Path magic = dir.resolve("disk.raw");
    Files.write(magic, "MAGIC!and more".getBytes(StandardCharsets.US_ASCII));
    assertThat(VirtualDisks.detect(lookslikeVhd).name()).isEqualTo("raw");
    assertThat(VirtualDisks.detect(magic).name()).isEqualTo("magic");
  }

  @Test
  void aForcedFormatSkipsProbing() throws Exception {
    Path magic = dir.resolve("m");
    Files.write(magic, "MAGIC!".getBytes(StandardCharsets.US_ASCII));
    try (VirtualDisk disk = VirtualDisks.open(magic, OpenOptions.readOnly().withFormat("raw"))) {
      assertThat(disk.format().name()).isEqualTo("raw");
    }
  }

  @Test
  void formatsAreListedByName() {
    assertThat(VirtualDisks.formats()).extracting(DiskFormat::name).containsSubsequence("magic",
        "raw");
  }

  @Test
  void errorMessagesNameFileOffsetAndStructure() {
    CorruptStructureException e =
        new CorruptStructureException(Path.of("x.vhdx"), 65536, "VHDX header", "bad checksum");
    assertThat(e).hasMessage("x.vhdx: offset 65536 (0x10000): corrupt VHDX header: bad checksum");
    assertThat(e.file()).contains(Path.of("x.vhdx"));
    assertThat(e.offset()).isEqualTo(65536);
    UnsafeToWriteException u = new UnsafeToWriteException(Path.of("w.img"),
        UnsafeToWriteException.Reason.LOG_NOT_REPLAYED, "replay the log first");
    assertThat(u).hasMessage("w.img: refusing to write (log not replayed): replay the log first");
    assertThat(new UnsupportedFeatureException(null, "INCOMPAT_FOO", ""))
        .hasMessage("<device>: unsupported feature INCOMPAT_FOO");
    assertThatThrownBy(() -> new Allocation(0, 0, Allocation.State.DATA))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
