package dev.vdisk.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VdiskException;
import dev.vdisk.vhdx.internal.Checksums;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Feeds arbitrary bytes to {@link VhdxFormat} as a whole image file: probe, open (read-only, or
 * read-write with a write), info, reads, allocation queries and check. Only {@link VdiskException}
 * (corrupt or unsupported input) and {@link EOFException} may come out of open and the reads;
 * check must never fail on content.
 *
 * <p>The input is compact, because a VHDX's first MiBs are mostly zeros: byte 0 holds flags (bit
 * 0: recompute the CRC-32C of headers, region tables and log entries after placing the chunks;
 * bit 1: open read-write), then records {@code [slot u8][length u16 LE][bytes]} each place bytes
 * at {@code slot * 64 KiB}. The file is at least 4 MiB. Seeds in {@code
 * VhdxFormatFuzzTestInputs/openReadCheck} come from images this project writes (see {@link
 * #encode}); set {@code JAZZER_FUZZ=1} to fuzz (5 minutes).
 */
class VhdxFormatFuzzTest {
  static final int SLOT = 64 << 10;
  static final int MIN_FILE = 4 << 20;

  @FuzzTest(maxDuration = "5m")
  void openReadCheck(byte[] input) throws Exception {
    Path file = Files.createTempFile("vhdx-fuzz", ".vhdx");
    try {
      Files.write(file, decode(input));
      VhdxFormat format = new VhdxFormat();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        assertThat(format.probe(file, ch)).isBetween(0, 100);
      }
      boolean writable = input.length > 0 && (input[0] & 2) != 0;
      try (VhdxDisk disk = format.open(file, writable ? OpenOptions.readWrite()
          : OpenOptions.readOnly())) {
        exercise(disk, writable);
      } catch (VdiskException | EOFException expected) {
        // corrupt or unsupported input
      }
      CheckReport report = format.check(file);
      assertThat(report.problems()).isNotNull();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void exercise(VhdxDisk disk, boolean writable) throws IOException {
    assertThat(disk.info().format()).isEqualTo("vhdx");
    long size = disk.size();
    assertThat(size).isNotNegative();
    if (size == 0) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
    for (long at : new long[] {0, size / 2, size - buffer.capacity()}) {
      disk.read(at, buffer.clear());
    }
    long pos = 0;
    for (int i = 0; i < 64 && pos < size; i++) {
      Allocation run = disk.allocation(pos);
      assertThat(run.offset()).isEqualTo(pos);
      assertThat(run.end()).isLessThanOrEqualTo(size);
      pos = run.end();
    }
    if (writable && size >= 4096) {
      byte[] data = new byte[4096];
      java.util.Arrays.fill(data, (byte) 0x5A);
      disk.write(size / 2 - size / 2 % 512, ByteBuffer.wrap(data));
      ByteBuffer back = ByteBuffer.allocate(4096);
      disk.read(size / 2 - size / 2 % 512, back);
      assertThat(back.array()).isEqualTo(data);
    }
  }

  /** Builds the image file from the compact encoding. */
  static byte[] decode(byte[] input) {
    int flags = input.length > 0 ? input[0] : 0;
    int end = MIN_FILE;
    int p = 1;
    ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    while (p + 3 <= input.length) {
      int slot = input[p] & 0xFF;
      int length = Math.min(in.getShort(p + 1) & 0xFFFF, input.length - p - 3);
      end = Math.max(end, slot * SLOT + length);
      p += 3 + length;
    }
    byte[] image = new byte[end];
    p = 1;
    while (p + 3 <= input.length) {
      int slot = input[p] & 0xFF;
      int length = Math.min(in.getShort(p + 1) & 0xFFFF, input.length - p - 3);
      System.arraycopy(input, p + 3, image, slot * SLOT, length);
      p += 3 + length;
    }
    if ((flags & 1) != 0) {
      fixChecksums(image);
    }
    return image;
  }

  private static void fixChecksums(byte[] image) {
    ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    for (int at : new int[] {64 << 10, 128 << 10}) {
      if (le.getInt(at) == 0x64616568) {
        le.putInt(at + 4, Checksums.crc32c(image, at, 4096, 4));
      }
    }
    for (int at : new int[] {192 << 10, 256 << 10}) {
      if (le.getInt(at) == 0x69676572) {
        le.putInt(at + 4, Checksums.crc32c(image, at, 64 << 10, 4));
      }
    }
    int logStart = 1 << 20;
    for (int at = logStart; at < 2 << 20; at += 4096) {
      if (le.getInt(at) == 0x65676F6C) {
        long length = le.getInt(at + 8) & 0xFFFF_FFFFL;
        if (length >= 4096 && length % 4096 == 0 && at + length <= 2 << 20) {
          le.putInt(at + 4, Checksums.crc32c(image, at, (int) length, 4));
        }
      }
    }
  }

  /**
   * Encodes the first 6 MiB of an image file as a fuzz input (each non-zero 64 KiB chunk,
   * trailing zeros trimmed).
   *
   * @param image the file's bytes
   * @param flags the flags byte
   * @return the input
   */
  static byte[] encode(byte[] image, int flags) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(flags);
    for (int slot = 0; slot < 96 && slot * SLOT < image.length; slot++) {
      int from = slot * SLOT;
      int to = Math.min(image.length, from + SLOT - 1);
      while (to > from && image[to - 1] == 0) {
        to--;
      }
      if (to > from) {
        out.write(slot);
        out.write((to - from) & 0xFF);
        out.write((to - from) >>> 8);
        out.write(image, from, to - from);
      }
    }
    return out.toByteArray();
  }
}
