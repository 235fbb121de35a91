package dev.vdisk.core.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnknownFormatException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawDiskTest {
  @TempDir Path dir;

  @Test
  void opensAnyFileAsRawReadOnlyByDefault() throws Exception {
    Path file = dir.resolve("disk.bin");
    Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(disk.format().name()).isEqualTo("raw");
      assertThat(disk.isWritable()).isFalse();
      assertThat(disk.size()).isEqualTo(8);
      ByteBuffer buffer = ByteBuffer.allocate(4);
      disk.read(2, buffer);
      assertThat(buffer.array()).containsExactly(3, 4, 5, 6);
      assertThatThrownBy(() -> disk.write(0, ByteBuffer.allocate(1)))
          .isInstanceOf(UnsafeToWriteException.class)
          .satisfies(e -> assertThat(((UnsafeToWriteException) e).reason())
              .isEqualTo(UnsafeToWriteException.Reason.READ_ONLY));
      assertThatThrownBy(() -> disk.read(6, ByteBuffer.allocate(4)))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("outside the device");
      assertThat(disk.info().chain()).hasSize(1);
      assertThat(disk.info().variant()).isEqualTo("file");
    }
  }

  @Test
  void writesWhenOpenedForWriting() throws Exception {
    Path file = dir.resolve("disk.bin");
    Files.write(file, new byte[4096]);
    try (VirtualDisk disk = VirtualDisks.open(file, OpenOptions.readWrite())) {
      disk.write(100, ByteBuffer.wrap(new byte[] {9, 8, 7}));
      disk.flush();
    }
    byte[] content = Files.readAllBytes(file);
    assertThat(content[100]).isEqualTo((byte) 9);
    assertThat(content[102]).isEqualTo((byte) 7);
    assertThat(content).hasSize(4096);
  }

  @Test
  void createMakesASparseFileOfTheExactSize() throws Exception {
    Path file = dir.resolve("new.raw");
    try (VirtualDisk disk = new RawDiskFormat().create(file, CreateSpec.ofSize(64L << 20))) {
      assertThat(disk.size()).isEqualTo(64L << 20);
      assertThat(disk.isWritable()).isTrue();
    }
    assertThat(Files.size(file)).isEqualTo(64L << 20);
    assertThatThrownBy(() -> new RawDiskFormat().create(file, CreateSpec.ofSize(1)))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void allocationFindsHolesAndCoversTheDevice() throws Exception {
    Path file = dir.resolve("sparse.raw");
    long size = 16L << 20;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}), size - 1);
      ch.write(ByteBuffer.wrap(filled(1 << 20, (byte) 0x5a)), 4L << 20);
    }
    try (RawDisk disk = RawDisk.open(file, false)) {
      long covered = 0;
      long dataBytes = 0;
      long offset = 0;
      int runs = 0;
      while (offset < disk.size()) {
        Allocation run = disk.allocation(offset);
        assertThat(run.offset()).isEqualTo(offset);
        assertThat(run.end()).isLessThanOrEqualTo(disk.size());
        if (run.state() == Allocation.State.DATA) {
          dataBytes += run.length();
        } else {
          // Whatever is reported as a hole must read as zeros.
          ByteBuffer probe = ByteBuffer.allocate((int) Math.min(run.length(), 4096));
          disk.read(run.offset(), probe);
          assertThat(probe.array()).containsOnly(0);
        }
        covered += run.length();
        offset = run.end();
        assertThat(++runs).isLessThan(1000);
      }
      assertThat(covered).isEqualTo(size);
      // The data island is reported as data (possibly with file-system block rounding).
      assertThat(dataBytes).isGreaterThanOrEqualTo(1 << 20);
      assertThat(disk.allocation((4L << 20) + 4096).state()).isEqualTo(Allocation.State.DATA);
      assertThatThrownBy(() -> disk.allocation(size)).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void missingFileAndDirectoryAreClearErrors() {
    assertThatThrownBy(() -> VirtualDisks.open(dir.resolve("nope.img")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> VirtualDisks.open(dir))
        .isInstanceOf(UnknownFormatException.class)
        .hasMessageContaining("directory");
    assertThatThrownBy(() -> VirtualDisks.open(dir.resolve("x"), OpenOptions.readOnly()
        .withFormat("nosuch")))
        .isInstanceOf(UnknownFormatException.class)
        .hasMessageContaining("nosuch");
  }

  @Test
  void rawIsRegisteredAsAService() {
    assertThat(VirtualDisks.formats()).anyMatch(f -> f.name().equals("raw"));
    assertThat(VirtualDisks.byName("RAW")).isPresent();
  }

  static byte[] filled(int length, byte value) {
    byte[] b = new byte[length];
    java.util.Arrays.fill(b, value);
    return b;
  }
}
