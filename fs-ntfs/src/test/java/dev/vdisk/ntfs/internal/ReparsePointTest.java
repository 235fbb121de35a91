package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.ReparsePoint.Link;
import dev.vdisk.ntfs.internal.ReparsePoint.Target;
import dev.vdisk.ntfs.internal.ReparsePoint.TargetKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReparsePointTest {
  static byte[] link(int tag, String substitute, String print, Integer flags) {
    byte[] s = substitute.getBytes(StandardCharsets.UTF_16LE);
    byte[] p = print.getBytes(StandardCharsets.UTF_16LE);
    int header = flags == null ? 8 : 12;
    // Windows puts the print name first for symlinks; use that order here
    int length = header + p.length + s.length;
    ByteBuffer b = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(tag).putShort((short) length).putShort((short) 0);
    b.putShort((short) p.length).putShort((short) s.length).putShort((short) 0)
        .putShort((short) p.length);
    if (flags != null) {
      b.putInt(flags);
    }
    b.put(p).put(s);
    return b.array();
  }

  private static ReparsePoint parse(byte[] b) throws CorruptStructureException {
    return ReparsePoint.parse(ByteBuffer.wrap(b), "rp", 0);
  }

  private static byte[] raw(int tag, byte[] data) {
    return ByteBuffer.allocate(8 + data.length).order(ByteOrder.LITTLE_ENDIAN).putInt(tag)
        .putShort((short) data.length).putShort((short) 0).put(data).array();
  }

  @Test
  void symlinkAndJunction() throws Exception {
    ReparsePoint s = parse(link(ReparsePoint.IO_REPARSE_TAG_SYMLINK, "..\\a\\b", "..\\a\\b", 1));
    assertThat(s.isMicrosoft()).isTrue();
    assertThat(s.isNameSurrogate()).isTrue();
    Link l = (Link) s.content();
    assertThat(l.junction()).isFalse();
    assertThat(l.relative()).isTrue();
    assertThat(l.substituteName()).isEqualTo("..\\a\\b");
    ReparsePoint j = parse(link(ReparsePoint.IO_REPARSE_TAG_MOUNT_POINT,
        "\\??\\C:\\Users\\Öz", "C:\\Users\\Öz", null));
    Link jl = (Link) j.content();
    assertThat(jl.junction()).isTrue();
    assertThat(jl.relative()).isFalse();
    assertThat(jl.printName()).isEqualTo("C:\\Users\\Öz");
    assertThat(jl.flags()).isZero();
  }

  @Test
  void wofDedupLxAndOthers() throws Exception {
    for (int algorithm = 0; algorithm < 4; algorithm++) {
      ReparsePoint w = parse(raw(ReparsePoint.IO_REPARSE_TAG_WOF, ByteBuffer.allocate(16)
          .order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(1).putInt(algorithm)
          .array()));
      ReparsePoint.Wof wof = (ReparsePoint.Wof) w.content();
      assertThat(w.isNameSurrogate()).isFalse();
      assertThat(wof.chunkSize()).isEqualTo(new int[] {4096, 32768, 8192, 16384}[algorithm]);
      assertThat(wof.algorithmName()).isEqualTo(new String[] {"XPRESS4K", "LZX", "XPRESS8K",
          "XPRESS16K"}[algorithm]);
    }
    ReparsePoint wim = parse(raw(ReparsePoint.IO_REPARSE_TAG_WOF, ByteBuffer.allocate(20)
        .order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(1).putInt(2).putInt(7).array()));
    assertThat(((ReparsePoint.Wof) wim.content()).algorithm()).isEqualTo(-1);
    assertThat(((ReparsePoint.Wof) wim.content()).chunkSize()).isEqualTo(-1);
    assertThat(((ReparsePoint.Wof) wim.content()).providerData()).hasSize(8);
    assertThat(parse(raw(ReparsePoint.IO_REPARSE_TAG_DEDUP, new byte[40])).content())
        .isEqualTo(new ReparsePoint.Dedup(40));
    byte[] lx = ByteBuffer.allocate(4 + 9).order(ByteOrder.LITTLE_ENDIAN).putInt(2)
        .put("/usr/bïn".getBytes(StandardCharsets.UTF_8)).array();
    assertThat(parse(raw(ReparsePoint.IO_REPARSE_TAG_LX_SYMLINK, lx)).content())
        .isEqualTo(new ReparsePoint.LxSymlink(2, "/usr/bïn"));
    assertThat(parse(raw(ReparsePoint.IO_REPARSE_TAG_AF_UNIX, new byte[0])).content())
        .isEqualTo(new ReparsePoint.LxSpecial("socket"));
    assertThat(parse(raw(ReparsePoint.IO_REPARSE_TAG_LX_BLK, new byte[0])).content())
        .isEqualTo(new ReparsePoint.LxSpecial("blk"));
    assertThat(parse(raw(0x9000701a, new byte[12])).content())
        .isEqualTo(new ReparsePoint.Other("cloud"));
    ReparsePoint third = parse(raw(0x00001234, new byte[20]));
    assertThat(third.isMicrosoft()).isFalse();
    assertThat(third.data().remaining()).isEqualTo(20);
  }

  @Test
  void rejectsInconsistentData() {
    byte[] good = link(ReparsePoint.IO_REPARSE_TAG_SYMLINK, "a", "a", 1);
    byte[] longer = good.clone();
    longer[4]++;
    byte[] odd = good.clone();
    odd[8 + 2] = 1; // substitute name length odd
    byte[] past = good.clone();
    past[8 + 2] = 40; // substitute name beyond the buffer
    byte[] badLx = raw(ReparsePoint.IO_REPARSE_TAG_LX_SYMLINK, new byte[] {2, 0, 0, 0,
        (byte) 0xff});
    byte[] badWof = raw(ReparsePoint.IO_REPARSE_TAG_WOF, new byte[] {2, 0, 0, 0, 2, 0, 0, 0});
    byte[] shortWof = raw(ReparsePoint.IO_REPARSE_TAG_WOF, new byte[] {1, 0, 0, 0, 2, 0, 0, 0});
    byte[] shortThirdParty = raw(0x00001234, new byte[8]);
    for (byte[] b : new byte[][] {longer, odd, past, badLx, badWof, shortWof, shortThirdParty,
        new byte[7], raw(ReparsePoint.IO_REPARSE_TAG_MOUNT_POINT, new byte[6])}) {
      assertThatThrownBy(() -> parse(b)).isInstanceOf(CorruptStructureException.class);
    }
  }

  private static Target translate(String substitute, boolean junction, int flags,
      Character drive) {
    return ReparsePoint.translateTarget(new Link(junction, substitute, "", flags), drive);
  }

  @Test
  void translatesTargets() {
    assertThat(translate("\\??\\C:\\dir\\x", true, 0, 'c'))
        .isEqualTo(new Target(TargetKind.VOLUME, "/dir/x", Optional.of('C')));
    assertThat(translate("\\??\\C:\\dir\\x\\", true, 0, 'C').path()).isEqualTo("/dir/x");
    assertThat(translate("\\??\\C:\\", true, 0, 'C').path()).isEqualTo("/");
    assertThat(translate("\\??\\D:\\dir", true, 0, 'C'))
        .isEqualTo(new Target(TargetKind.OTHER_DRIVE, "/.NTFS-3G/D:/dir", Optional.of('D')));
    assertThat(translate("\\??\\C:\\dir", false, 0, null).path())
        .isEqualTo("/.NTFS-3G/C:/dir");
    assertThat(translate("C:\\dir", false, 0, 'C').path()).isEqualTo("/dir");
    assertThat(translate("\\\\?\\C:\\dir", false, 0, 'C').path()).isEqualTo("/dir");
    assertThat(translate("..\\a\\b", false, 1, 'C'))
        .isEqualTo(new Target(TargetKind.RELATIVE, "../a/b", Optional.empty()));
    assertThat(translate("\\top\\x", false, 1, null))
        .isEqualTo(new Target(TargetKind.VOLUME, "/top/x", Optional.empty()));
    assertThat(translate("\\??\\UNC\\server\\share\\f", false, 0, 'C'))
        .isEqualTo(new Target(TargetKind.UNC, "//server/share/f", Optional.empty()));
    assertThat(translate("\\??\\Volume{01234567-89ab-cdef-0123-456789abcdef}\\d", true, 0, 'C')
        .kind()).isEqualTo(TargetKind.VOLUME_GUID);
    assertThat(translate("\\Device\\HarddiskVolume2\\x", true, 0, 'C').kind())
        .isEqualTo(TargetKind.UNKNOWN);
    assertThat(translate("plain\\rel", false, 0, null).kind()).isEqualTo(TargetKind.RELATIVE);
    assertThat(ReparsePoint.translateTarget(new Link(true, "\\??\\E:\\d", "", 0), null,
        p -> p.equals("/d")).kind()).isEqualTo(TargetKind.VOLUME);
  }
}
