package dev.vdisk.vhd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ParentLocatorEntryTest {

  @Test
  void roundTrip() {
    ParentLocatorEntry entry = new ParentLocatorEntry(ParentLocatorEntry.W2RU, 65536, 32, 0,
        12288);
    ByteBuffer buffer = ByteBuffer.allocate(24);
    entry.writeTo(buffer);
    assertThat(buffer.position()).isEqualTo(24);
    assertThat(new String(buffer.array(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("W2ru");
    assertThat(ParentLocatorEntry.parse(buffer.flip())).isEqualTo(entry);
    assertThat(entry.platformCodeText()).isEqualTo("W2ru");
  }

  @Test
  void decodesEachPlatform() {
    assertThat(locator(ParentLocatorEntry.W2KU)
        .decode("C:\\VMs\\base.vhd\0junk".getBytes(StandardCharsets.UTF_16LE)))
        .contains("C:\\VMs\\base.vhd");
    assertThat(locator(ParentLocatorEntry.W2RU)
        .decode(".\\base.vhd".getBytes(StandardCharsets.UTF_16LE))).contains(".\\base.vhd");
    assertThat(locator(ParentLocatorEntry.MACX)
        .decode("file://localhost/Users/me/My%20Disk.vhd".getBytes(StandardCharsets.UTF_8)))
        .contains("/Users/me/My Disk.vhd");
    assertThat(locator(ParentLocatorEntry.MACX)
        .decode("file:///tmp/base.vhd".getBytes(StandardCharsets.UTF_8)))
        .contains("/tmp/base.vhd");
    assertThat(locator(ParentLocatorEntry.WI2K)
        .decode("C:\\base.vhd".getBytes(StandardCharsets.ISO_8859_1))).contains("C:\\base.vhd");
    assertThat(locator(ParentLocatorEntry.MAC).decode(new byte[] {1, 2, 3})).isEmpty();
    assertThat(locator(ParentLocatorEntry.W2KU).decode(new byte[4])).isEmpty();
    // an odd length drops the last byte rather than failing
    assertThat(locator(ParentLocatorEntry.W2KU).decode(new byte[] {'a', 0, 'b'})).contains("a");
  }

  private static ParentLocatorEntry locator(int code) {
    return new ParentLocatorEntry(code, 512, 0, 0, 0);
  }
}
