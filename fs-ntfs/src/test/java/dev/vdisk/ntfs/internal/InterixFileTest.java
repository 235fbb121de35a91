package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.InterixFile.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InterixFileTest {
  private static final int SYSTEM = InterixFile.FILE_ATTRIBUTE_SYSTEM;
  private static final int HIDDEN = InterixFile.FILE_ATTRIBUTE_HIDDEN;

  private static InterixFile parse(int attributes, byte[] data) throws Exception {
    return InterixFile.parse(attributes, ByteBuffer.wrap(data), data.length, "f", 0);
  }

  private static byte[] device(String magic, long major, long minor) {
    return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
        .put(magic.getBytes(StandardCharsets.ISO_8859_1)).putLong(major).putLong(minor).array();
  }

  private static byte[] symlink(String target) {
    byte[] t = target.getBytes(StandardCharsets.UTF_16LE);
    return ByteBuffer.allocate(8 + t.length).put("IntxLNK\1".getBytes(StandardCharsets.ISO_8859_1))
        .put(t).array();
  }

  @Test
  void specialFiles() throws Exception {
    assertThat(parse(SYSTEM, new byte[0]).type()).isEqualTo(Type.FIFO);
    assertThat(parse(SYSTEM, new byte[1]).type()).isEqualTo(Type.SOCKET);
    assertThat(parse(SYSTEM | HIDDEN, new byte[0]).type()).isEqualTo(Type.REGULAR);
    assertThat(parse(SYSTEM | HIDDEN, new byte[1]).type()).isEqualTo(Type.REGULAR);
    InterixFile c = parse(SYSTEM, device("IntxCHR\0", 4, 5));
    assertThat(c).isEqualTo(new InterixFile(Type.CHARACTER_DEVICE, "", 4, 5));
    InterixFile b = parse(SYSTEM | HIDDEN, device("IntxBLK\0", 259, 65537));
    assertThat(b).isEqualTo(new InterixFile(Type.BLOCK_DEVICE, "", 259, 65537));
    InterixFile l = parse(SYSTEM, symlink("../日本/\uD83D\uDE00"));
    assertThat(l.type()).isEqualTo(Type.SYMLINK);
    assertThat(l.displayTarget()).isEqualTo("../日本/\uD83D\uDE00");
    assertThat(parse(SYSTEM, symlink("a\0junk")).displayTarget()).isEqualTo("a");
  }

  @Test
  void lookAlikesAreRegular() throws Exception {
    assertThat(parse(0, symlink("x")).type()).isEqualTo(Type.REGULAR);
    assertThat(parse(0, new byte[0]).type()).isEqualTo(Type.REGULAR);
    assertThat(parse(SYSTEM, symlink("")).type()).as("8 bytes").isEqualTo(Type.REGULAR);
    byte[] longDevice = java.util.Arrays.copyOf(device("IntxCHR\0", 1, 2), 25);
    assertThat(parse(SYSTEM, longDevice).type()).isEqualTo(Type.REGULAR);
    assertThat(parse(SYSTEM, device("IntxFOO\0", 1, 2)).type()).isEqualTo(Type.REGULAR);
    byte[] odd = java.util.Arrays.copyOf(symlink("ab"), 13);
    assertThat(parse(SYSTEM, odd).displayTarget()).isEqualTo("ab");
    assertThat(InterixFile.isCandidate(SYSTEM, 8 + 2 * 4096 + 1)).isFalse();
    assertThat(InterixFile.parse(SYSTEM, ByteBuffer.allocate(0), 1L << 40, "f", 0).type())
        .isEqualTo(Type.REGULAR);
  }

  @Test
  void shortDataIsCorrupt() {
    assertThatThrownBy(() -> InterixFile.parse(SYSTEM, ByteBuffer.allocate(10), 24, "f", 0))
        .isInstanceOf(CorruptStructureException.class);
  }
}
