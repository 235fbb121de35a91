package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VolumeStateTest {
  private static ByteBuffer volumeInformation(int major, int minor, int flags) {
    return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).put(8, (byte) major)
        .put(9, (byte) minor).putShort(10, (short) flags);
  }

  @Test
  void volumeInformation() throws Exception {
    VolumeInformation v = VolumeInformation.parse(volumeInformation(3, 1, 0x8081), "v", 0);
    assertThat(v.version()).isEqualTo("3.1");
    assertThat(v.dirty()).isTrue();
    assertThat(v.flagNames()).containsExactly("VOLUME_IS_DIRTY", "VOLUME_MODIFIED_BY_CHKDSK",
        "0x0080");
    assertThat(VolumeInformation.parse(volumeInformation(1, 2, 0), "v", 0).flagNames()).isEmpty();
    assertThatThrownBy(() -> VolumeInformation.parse(volumeInformation(2, 0, 0), "v", 0))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> VolumeInformation.parse(volumeInformation(3, 3, 0), "v", 0))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> VolumeInformation.parse(ByteBuffer.allocate(11), "v", 0))
        .isInstanceOf(CorruptStructureException.class);
  }

  /** A restart page as Windows writes it (4 KiB pages, version 1.1), with fixups for disk. */
  static ByteBuffer restartPage(String magic, long lsn, int flags, int inUse, int major,
      int minor) {
    ByteBuffer p = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    p.put(0, magic.getBytes(StandardCharsets.ISO_8859_1)).putShort(4, (short) 0x1e)
        .putShort(6, (short) 9).putInt(0x10, 4096).putInt(0x14, 4096).putShort(0x18, (short) 0x30)
        .putShort(0x1a, (short) minor).putShort(0x1c, (short) major);
    int ra = 0x30;
    p.putLong(ra, lsn).putShort(ra + 8, (short) 1).putShort(ra + 0x0a, (short) 0xffff)
        .putShort(ra + 0x0c, (short) inUse).putShort(ra + 0x0e, (short) flags)
        .putInt(ra + 0x10, 0x2d).putShort(ra + 0x14, (short) 0xe0).putShort(ra + 0x16, (short) 0x40)
        .putLong(ra + 0x18, 1 << 21);
    int c = ra + 0x40;
    p.putShort(c + 0x10, (short) 0xffff).putShort(c + 0x12, (short) 0xffff).putInt(c + 0x1c, 8)
        .put(c + 0x20, "NTFS".getBytes(StandardCharsets.UTF_16LE));
    p.putShort(0x1e, (short) 7);
    for (int i = 1; i <= 8; i++) {
      p.putShort(0x1e + 2 * i, p.getShort(i * 512 - 2));
      p.putShort(i * 512 - 2, (short) 7);
    }
    return p;
  }

  private static ByteBuffer log(ByteBuffer first, ByteBuffer second) {
    ByteBuffer b = ByteBuffer.allocate(8192);
    b.put(0, first, 0, 4096).put(4096, second, 0, 4096);
    return b;
  }

  @Test
  void logFile() throws Exception {
    ByteBuffer clean = restartPage("RSTR", 100, 2, 0, 1, 1);
    LogFileState s = LogFileState.parse(log(clean, clean), "l", 0);
    assertThat(s.empty()).isFalse();
    assertThat(s.clean()).isTrue();
    assertThat(s.secondPageValid()).isTrue();
    assertThat(s.ntfs3gRefusesMount()).isFalse();
    LogFileState.RestartPage p = s.page().orElseThrow();
    assertThat(p.clientName()).contains("NTFS");
    assertThat(p.currentLsn()).isEqualTo(100);
    assertThat(p.fileSize()).isEqualTo(1 << 21);

    ByteBuffer dirty = restartPage("RSTR", 200, 0, 0, 1, 1);
    LogFileState newer = LogFileState.parse(log(clean, dirty), "l", 0);
    assertThat(newer.page().orElseThrow().offset()).as("the higher LSN wins").isEqualTo(4096);
    assertThat(newer.clean()).isFalse();
    assertThat(LogFileState.parse(log(restartPage("RSTR", 1, 0, 0xffff, 1, 1), clean), "l", 0)
        .clean()).isTrue();
    assertThat(LogFileState.parse(log(restartPage("CHKD", 500, 2, 0, 2, 0), clean), "l", 0)
        .ntfs3gRefusesMount()).isTrue();

    byte[] ff = new byte[8192];
    Arrays.fill(ff, (byte) 0xff);
    LogFileState empty = LogFileState.parse(ByteBuffer.wrap(ff), "l", 0);
    assertThat(empty.empty()).isTrue();
    assertThat(empty.clean()).isTrue();
    assertThat(empty.ntfs3gRefusesMount()).isFalse();

    ByteBuffer broken = restartPage("RSTR", 300, 0, 0, 1, 1);
    broken.putShort(1022, (short) 8); // torn
    LogFileState fallback = LogFileState.parse(log(broken, clean), "l", 0);
    assertThat(fallback.page().orElseThrow().offset()).isEqualTo(4096);
    assertThat(fallback.secondPageValid()).isFalse();
  }

  @Test
  void corruptLogFiles() {
    ByteBuffer clean = restartPage("RSTR", 100, 2, 0, 1, 1);
    ByteBuffer[] bad = {
      restartPage("XXXX", 1, 2, 0, 1, 1),
      restartPage("RSTR", 1, 2, 0, 3, 0),
      restartPage("RSTR", 1, 2, 5, 1, 1), // in-use client beyond the one client
      restartPage("RSTR", 1, 2, 0, 1, 1).putInt(0x10, 3000),
      restartPage("RSTR", 1, 2, 0, 1, 1).putShort(0x18, (short) 0x31),
      restartPage("RSTR", 1, 2, 0, 1, 1).putShort(0x30 + 0x14, (short) 0x10),
      restartPage("RSTR", 1, 2, 0, 1, 1).putInt(0x30 + 0x40 + 0x1c, 3),
    };
    for (ByteBuffer b : bad) {
      assertThatThrownBy(() -> LogFileState.parse(log(b, b), "l", 0))
          .isInstanceOf(CorruptStructureException.class);
    }
    assertThatThrownBy(() -> LogFileState.parse(ByteBuffer.allocate(100), "l", 0))
        .isInstanceOf(CorruptStructureException.class);
    assertThat(clean.getShort(0x1e)).isEqualTo((short) 7);
  }

  private static ByteBuffer header(String signature, int size) {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(0, signature.getBytes(StandardCharsets.ISO_8859_1), 0, Math.min(4, size));
    return b;
  }

  @Test
  void hibernationFile() {
    assertThat(HibernationFile.parse(header("hibr", 4096), 1 << 30).state())
        .isEqualTo(HibernationFile.State.HIBERNATED);
    assertThat(HibernationFile.parse(header("HIBR", 4096), 1 << 30).ntfs3gRefusesMount())
        .isTrue();
    assertThat(HibernationFile.parse(header("wake", 4096), 1 << 30).state())
        .isEqualTo(HibernationFile.State.RESUMED);
    HibernationFile restoring = HibernationFile.parse(header("RSTR", 4096), 1 << 30);
    assertThat(restoring.resumable()).isTrue();
    assertThat(restoring.ntfs3gRefusesMount()).isFalse();
    HibernationFile zero = HibernationFile.parse(header("\0\0\0\0", 4096), 8192);
    assertThat(zero.state()).isEqualTo(HibernationFile.State.ZEROED);
    assertThat(zero.resumable()).isFalse();
    assertThat(HibernationFile.parse(header("abcd", 4096), 4096).state())
        .isEqualTo(HibernationFile.State.UNKNOWN);
    HibernationFile tiny = HibernationFile.parse(header("hibr", 100), 100);
    assertThat(tiny.state()).isEqualTo(HibernationFile.State.TOO_SHORT);
    assertThat(tiny.ntfs3gRefusesMount()).isTrue();
    assertThat(HibernationFile.parse(ByteBuffer.allocate(0), 0).ntfs3gRefusesMount()).isTrue();
  }
}
