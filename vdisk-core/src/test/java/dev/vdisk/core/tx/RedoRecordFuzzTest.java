package dev.vdisk.core.tx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Arbitrary redo records beside a device ({@link RedoLogDevice#open}, which {@link Transaction}
 * recovery and {@code VirtualDisks.open} use): raw bytes are dropped as incomplete or refused as
 * {@link CorruptStructureException}; a well-formed record (checksums made right) whose entries
 * the input chooses is applied exactly when every entry lies inside the device and refused
 * before the device is touched otherwise. Never another exception, never a partial apply. The
 * seeds in {@code RedoRecordFuzzTestInputs/} ({@code testdata/scripts/make-tx-fuzz-seeds.sh})
 * run in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class RedoRecordFuzzTest {
  private static final int SIZE = 64 * 1024;

  private static Path file(byte[] bytes) {
    try {
      Path p = Files.createTempFile("redo-fuzz", ".rec");
      Files.write(p, bytes);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "1m")
  void rawBytes(byte[] input) throws IOException {
    Path record = file(input);
    MemoryBlockDevice device = new MemoryBlockDevice(SIZE);
    try {
      RedoLogDevice.open(device, record);
      // dropped (incomplete) or applied: either way the record is gone
      assertFalse(Files.exists(record));
    } catch (CorruptStructureException | EOFException expected) {
      // refused
    } finally {
      Files.deleteIfExists(record);
    }
  }

  @FuzzTest(maxDuration = "1m")
  void wellFormedRecords(byte[] input) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    int count = in.hasRemaining() ? (in.get() & 7) : 0;
    ByteBuffer body = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    byte[] model = new byte[SIZE];
    boolean inside = true;
    long dataBytes = 0;
    int made = 0;
    for (int i = 0; i < count && in.remaining() >= 6; i++) {
      long offset = in.getInt() - 1024L; // some negative, some past the end
      int len = Math.min(in.getShort() & 0x7fff, in.remaining() + 100);
      byte[] data = new byte[len];
      in.get(data, 0, Math.min(len, in.remaining()));
      CRC32C one = new CRC32C();
      one.update(data);
      body.putLong(offset).putInt(len).putInt((int) one.getValue()).put(data);
      dataBytes += len;
      made++;
      if (offset < 0 || offset + len > SIZE) {
        inside = false;
      } else {
        System.arraycopy(data, 0, model, (int) offset, len);
      }
    }
    ByteBuffer rec = ByteBuffer.allocate(32 + body.position() + 16)
        .order(ByteOrder.LITTLE_ENDIAN);
    rec.putLong(0x31304f4445524456L).putLong(SIZE).putInt(made).putInt(0).putLong(dataBytes);
    rec.put(body.flip());
    CRC32C crc = new CRC32C();
    crc.update(rec.array(), 0, rec.position());
    rec.putLong(0x4e454f4445524456L).putInt(made).putInt((int) crc.getValue());
    Path record = file(rec.array());
    MemoryBlockDevice device = new MemoryBlockDevice(SIZE);
    try {
      RedoLogDevice.open(device, record);
      if (!inside) {
        throw new AssertionError("a record with an entry outside the device was applied");
      }
      assertArrayEquals(model, device.array());
      assertFalse(Files.exists(record));
    } catch (CorruptStructureException e) {
      if (inside) {
        throw new AssertionError("a record inside the device was refused", e);
      }
      assertArrayEquals(new byte[SIZE], device.array(), "refused, yet the device changed");
    } finally {
      Files.deleteIfExists(record);
    }
  }
}
