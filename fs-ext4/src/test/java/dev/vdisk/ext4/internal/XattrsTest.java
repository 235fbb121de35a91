package dev.vdisk.ext4.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The xattr hashes, name split and ACL conversion, against values taken from a block the kernel
 * wrote ({@code debugfs block_dump -x}: entries {@code user.e} = "" and {@code user.v} =
 * 0x0102, entry hash 101 for {@code e}, block hash 0x00130201).
 */
class XattrsTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void entryAndBlockHashesMatchTheKernels() {
    assertThat(Xattrs.entryHash(b("e"), new byte[0])).isEqualTo(101);
    Xattrs.Entry e = new Xattrs.Entry(1, b("e"), new byte[0]);
    Xattrs.Entry v = new Xattrs.Entry(1, b("v"), new byte[] {1, 2});
    assertThat(v.hash).isEqualTo(0x760201);
    assertThat(Xattrs.blockHash(List.of(e, v))).isEqualTo(0x00130201);
    assertThat(Xattrs.blockHash(List.of(e, new Xattrs.Entry(1, b("z"), null, 12, 5, 0))))
        .as("an entry without a hash zeroes the block hash").isZero();
    // names hash as unsigned bytes
    assertThat(Xattrs.entryHash(new byte[] {(byte) 0xE9}, new byte[0])).isEqualTo(0xE9);
  }

  @Test
  void sizesCountEntriesTerminatorAndPaddedValues() {
    Xattrs.Entry e = new Xattrs.Entry(1, b("abcde"), new byte[5]);
    assertThat(e.entryLen()).isEqualTo(24);
    assertThat(e.valueLen()).isEqualTo(8);
    assertThat(Xattrs.inodeUse(List.of(e))).isEqualTo(4 + 24 + 8);
    assertThat(Xattrs.blockUse(List.of(e))).isEqualTo(32 + 4 + 24 + 8);
  }

  @Test
  void splitsNamesIntoIndexAndSuffix() {
    assertThat(Xattrs.split("user.x").index()).isEqualTo(1);
    assertThat(Xattrs.split("trusted.x").index()).isEqualTo(4);
    assertThat(Xattrs.split("security.selinux").suffix()).isEqualTo(b("selinux"));
    assertThat(Xattrs.split("system.posix_acl_access").suffix()).isEmpty();
    assertThat(Xattrs.split("system.posix_acl_default").index()).isEqualTo(3);
    assertThatThrownBy(() -> Xattrs.split("user.")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Xattrs.split("system.data"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Xattrs.split("user." + "n".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aclsConvertBothWays() {
    ByteBuffer x = ByteBuffer.allocate(4 + 3 * 8).order(ByteOrder.LITTLE_ENDIAN);
    x.putInt(2);
    x.putShort((short) 1).putShort((short) 6).putInt(-1);
    x.putShort((short) 2).putShort((short) 4).putInt(1000);
    x.putShort((short) 0x20).putShort((short) 0).putInt(-1);
    byte[] disk = Xattrs.xattrToAcl(x.array());
    assertThat(disk).hasSize(4 + 4 + 8 + 4);
    assertThat(ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(1);
    assertThat(ExtendedAttributes.aclToXattr(disk)).isEqualTo(x.array());
    assertThatThrownBy(() -> Xattrs.xattrToAcl(new byte[] {2, 0, 0, 0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
