package dev.vdisk.vmdk.internal.esx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COWD and seSparse headers and extents without external tools: validation and damage. */
class EsxExtentTest {
  @TempDir Path dir;

  private Path cowd(byte[] data, int grainSectors) throws IOException {
    return EsxImages.extentOf(EsxImages.cowd(dir, "c", data, grainSectors, new Random(3)),
        "-delta.vmdk");
  }

  private Path se(byte[] data, boolean dirty) throws IOException {
    return EsxImages.extentOf(EsxImages.seSparse(dir, "s", data, new Random(3),
        new EsxImages.SeOptions(dirty)), "-sesparse.vmdk");
  }

  private static void poke(Path file, long offset, ByteBuffer bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(bytes, offset);
    }
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void cowdReadsBack() throws IOException {
    byte[] data = EsxImages.content(3 << 20, 4096, new Random(11));
    Path file = cowd(data, 8);
    try (FileChannel ch = FileChannel.open(file); CowdExtent extent = CowdExtent.open(file, ch)) {
      assertThat(extent.header().grainSize()).isEqualTo(8);
      assertThat(EsxExtentIT.readAll(extent)).isEqualTo(data);
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().isClean()).isTrue();
      for (long pos = 0; pos < extent.size(); ) {
        Allocation run = extent.allocation(pos);
        assertThat(run.state()).isNotEqualTo(Allocation.State.ZERO);
        pos = run.end();
      }
    }
  }

  @Test
  void seSparseReadsBackWithAllEntryTypes() throws IOException {
    byte[] data = EsxImages.content(2 << 20, 4096, new Random(12));
    Path file = se(data, false);
    try (FileChannel ch = FileChannel.open(file);
        SeSparseExtent extent = SeSparseExtent.open(file, ch)) {
      assertThat(EsxExtentIT.readAll(extent)).isEqualTo(data);
      boolean[] seen = new boolean[3];
      for (long pos = 0; pos < extent.size(); ) {
        Allocation run = extent.allocation(pos);
        seen[run.state().ordinal()] = true;
        pos = run.end();
      }
      assertThat(seen).containsOnly(true);
    }
  }

  @Test
  void cowdHeaderValidation() throws IOException {
    byte[] data = new byte[1 << 20];
    data[5] = 1;
    Path file = cowd(data, 8);
    poke(file, 4, le(4).putInt(0, 2).rewind());
    assertOpenFails(file, true, UnsupportedFeatureException.class, "COWD version 2");
    poke(file, 4, le(4).putInt(0, 1).rewind());
    poke(file, 16, le(4).putInt(0, 0).rewind());
    assertOpenFails(file, true, CorruptStructureException.class, "grain size 0");
    poke(file, 16, le(4).putInt(0, 8).rewind());
    poke(file, 24, le(4).putInt(0, 0).rewind());
    assertOpenFails(file, true, CorruptStructureException.class, "cannot cover");
    poke(file, 24, le(4).putInt(0, 1).rewind());
    poke(file, 20, le(4).putInt(0, 0x7fffffff).rewind());
    assertOpenFails(file, true, CorruptStructureException.class, "COWD grain directory");
    poke(file, 0, ByteBuffer.wrap("KDMV".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertOpenFails(file, true, CorruptStructureException.class, "bad magic");
  }

  @Test
  void cowdTableEntryPastTheFileIsCorrupt() throws IOException {
    byte[] data = new byte[1 << 20];
    data[5] = 1;
    Path file = cowd(data, 8);
    CowdHeader header;
    long table;
    try (FileChannel ch = FileChannel.open(file)) {
      header = CowdExtent.open(file, ch).header();
      ByteBuffer gd = le(4);
      ch.read(gd, header.gdOffset() * 512);
      table = gd.getInt(0) * 512L;
    }
    poke(file, table, le(4).putInt(0, 0x7fffffff).rewind());
    try (FileChannel ch = FileChannel.open(file); CowdExtent extent = CowdExtent.open(file, ch)) {
      assertThatThrownBy(() -> extent.read(0, ByteBuffer.allocate(512)))
          .isInstanceOfSatisfying(CorruptStructureException.class, e -> {
            assertThat(e.structure()).isEqualTo("COWD grain table");
            assertThat(e.offset()).isEqualTo(table);
          });
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().isClean()).isFalse();
    }
  }

  @Test
  void seSparseHeaderValidation() throws IOException {
    byte[] data = new byte[1 << 20];
    data[5] = 1;
    Path file = se(data, false);
    poke(file, 8, le(8).putLong(0, 0x0000000100000001L).rewind());
    assertOpenFails(file, false, UnsupportedFeatureException.class, "seSparse version");
    poke(file, 8, le(8).putLong(0, SeSparseConstHeader.VERSION).rewind());
    poke(file, 24, le(8).putLong(0, 16).rewind());
    assertOpenFails(file, false, UnsupportedFeatureException.class, "grain size 16");
    poke(file, 24, le(8).putLong(0, 8).rewind());
    poke(file, 40, le(8).putLong(0, 1).rewind());
    assertOpenFails(file, false, UnsupportedFeatureException.class, "flags");
    poke(file, 40, le(8).putLong(0, 0).rewind());
    poke(file, 16, le(8).putLong(0, Long.MAX_VALUE).rewind());
    assertOpenFails(file, false, CorruptStructureException.class, "capacity");
    poke(file, 16, le(8).putLong(0, 2048).rewind());
    poke(file, 512, le(8).putLong(0, 0).rewind());
    assertOpenFails(file, false, CorruptStructureException.class, "volatile header");
    poke(file, 512, le(8).putLong(0, SeSparseVolatileHeader.MAGIC).rewind());
    poke(file, 0, le(8).putLong(0, 0xcafecafeL).rewind());
    assertOpenFails(file, false, CorruptStructureException.class, "bad magic");
  }

  @Test
  void seSparseDirtyJournalIsRefused() throws IOException {
    byte[] data = new byte[1 << 20];
    Path file = se(data, true);
    assertOpenFails(file, false, UnsupportedFeatureException.class, "replay-journal flag");
  }

  @Test
  void seSparseBadEntriesAreCorrupt() throws IOException {
    byte[] data = EsxImages.content(1 << 20, 4096, new Random(4));
    data[0] = 1;
    Path file = se(data, false);
    SeSparseConstHeader header;
    try (FileChannel ch = FileChannel.open(file)) {
      header = SeSparseExtent.open(file, ch).header();
    }
    long gd = header.grainDirOffset() * 512;
    // a directory entry that is not an allocated table
    poke(file, gd, le(8).putLong(0, 0x2000000000000005L).rewind());
    assertOpenFails(file, false, CorruptStructureException.class, "not an allocated grain table");
    // a table number beyond the tables
    poke(file, gd, le(8).putLong(0, 0x1000000000000000L | 1000).rewind());
    assertOpenFails(file, false, CorruptStructureException.class, "grain table 1000");
    poke(file, gd, le(8).putLong(0, 0x1000000000000000L).rewind());
    long table = header.grainTablesOffset() * 512;
    // an entry of an unknown type; then an allocated grain beyond the grains
    poke(file, table, le(8).putLong(0, 0x5000000000000000L).rewind());
    assertReadFails(file, "unknown grain type");
    poke(file, table, le(8).putLong(0, 0x3000000000000000L | 0xffffffffL).rewind());
    assertReadFails(file, "past the file");
  }

  private static void assertReadFails(Path file, String detail) throws IOException {
    try (FileChannel ch = FileChannel.open(file);
        SeSparseExtent extent = SeSparseExtent.open(file, ch)) {
      assertThatThrownBy(() -> extent.read(0, ByteBuffer.allocate(4096)))
          .isInstanceOf(CorruptStructureException.class)
          .hasMessageContaining(detail)
          .hasMessageContaining(file.toString());
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().isClean()).isFalse();
    }
  }

  private static void assertOpenFails(Path file, boolean cowd, Class<? extends Exception> type,
      String detail) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      assertThatThrownBy(() -> {
        if (cowd) {
          CowdExtent.open(file, ch);
        } else {
          SeSparseExtent.open(file, ch);
        }
      }).isInstanceOf(type).hasMessageContaining(detail).hasMessageContaining(file.toString());
    }
  }
}
