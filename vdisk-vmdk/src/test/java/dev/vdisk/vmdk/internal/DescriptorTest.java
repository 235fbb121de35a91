package dev.vdisk.vmdk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DescriptorTest {
  private static final Path FILE = Path.of("test.vmdk");

  private static final String VMWARE = "# Disk DescriptorFile\r\n"
      + "version=1\r\n"
      + "encoding=\"windows-1252\"\r\n"
      + "CID=1a2b3c4d\r\n"
      + "parentCID=ffffffff\r\n"
      + "isNativeSnapshot=\"no\"\r\n"
      + "createType=\"twoGbMaxExtentSparse\"\r\n"
      + "\r\n"
      + "# Extent description\r\n"
      + "RW 4192256 SPARSE \"disk name-s001.vmdk\"\r\n"
      + "RDONLY 2048 FLAT \"flat.vmdk\" 128\r\n"
      + "NOACCESS 100 ZERO\r\n"
      + "\r\n"
      + "# The Disk Data Base \r\n"
      + "#DDB\r\n"
      + "\r\n"
      + "ddb.virtualHWVersion = \"9\"\r\n"
      + "ddb.longContentID = \"e61f2478a1f3c8bc7c3a8f36fffffffe\"\r\n"
      + "ddb.uuid = \"60 00 C2 99 3c 3b c5 c0-29 99 4b e2 5b 11 a2 45\"\r\n"
      + "ddb.adapterType=ide\r\n"
      + "some unknown line without equals\r\n";

  @Test
  void parsesKeysExtentsAndQuotes() throws Exception {
    Descriptor d = Descriptor.parse(FILE, 0, VMWARE);
    assertThat(d.cid(FILE)).isEqualTo(0x1a2b3c4dL);
    assertThat(d.parentCid(FILE)).isEqualTo(Descriptor.NO_PARENT_CID);
    assertThat(d.createType()).isEqualTo("twoGbMaxExtentSparse");
    assertThat(d.get("ddb.adapterType")).contains("ide");
    assertThat(d.get("DDB.UUID")).contains("60 00 C2 99 3c 3b c5 c0-29 99 4b e2 5b 11 a2 45");
    assertThat(d.parentFileNameHint()).isEmpty();
    assertThat(d.extents()).containsExactly(
        new ExtentDescription(ExtentDescription.Access.RW, 4192256,
            ExtentDescription.Type.SPARSE, "disk name-s001.vmdk", 0),
        new ExtentDescription(ExtentDescription.Access.RDONLY, 2048,
            ExtentDescription.Type.FLAT, "flat.vmdk", 128),
        new ExtentDescription(ExtentDescription.Access.NOACCESS, 100,
            ExtentDescription.Type.ZERO, null, 0));
  }

  @Test
  void rewriteKeepsEveryOtherLineAndTheLineEnds() throws Exception {
    Descriptor d = Descriptor.parse(FILE, 0, VMWARE);
    assertThat(d.toText()).isEqualTo(VMWARE);
    d.set("CID", "deadbeef", false);
    d.set("parentFileNameHint", "base.vmdk", true);
    d.set("ddb.new", "x", true);
    String text = d.toText();
    assertThat(text).isEqualTo(VMWARE.replace("CID=1a2b3c4d", "CID=deadbeef")
        .replace("createType=\"twoGbMaxExtentSparse\"\r\n",
            "createType=\"twoGbMaxExtentSparse\"\r\nparentFileNameHint=\"base.vmdk\"\r\n")
        + "ddb.new = \"x\"\r\n");
    Descriptor again = Descriptor.parse(FILE, 0, text);
    assertThat(again.cid(FILE)).isEqualTo(0xdeadbeefL);
    assertThat(again.parentFileNameHint()).contains("base.vmdk");
    assertThat(again.extents()).isEqualTo(d.extents());
  }

  @Test
  void embeddedDescriptorStopsAtNul() throws Exception {
    byte[] bytes = new byte[10240];
    byte[] text = "# Disk DescriptorFile\nCID=00000001\nRW 8 SPARSE \"a.vmdk\"\n"
        .getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, bytes, 0, text.length);
    bytes[text.length + 5] = 'X';
    Descriptor d = Descriptor.parse(FILE, 512, ByteBuffer.wrap(bytes));
    assertThat(d.extents()).hasSize(1);
    assertThat(d.toText()).isEqualTo(new String(text, StandardCharsets.US_ASCII));
  }

  @Test
  void notUtf8IsKeptByteForByte() throws Exception {
    byte[] text = "CID=00000001\nddb.comment = \"caf\u00e9\"\nRW 8 FLAT \"a.vmdk\" 0\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    Descriptor d = Descriptor.parse(FILE, 0, ByteBuffer.wrap(text));
    assertThat(d.get("ddb.comment")).contains("caf\u00e9");
    assertThat(d.toBytes()).isEqualTo(text);
  }

  @Test
  void tooManyExtentsIsAnErrorNotAnAllocation() {
    StringBuilder sb = new StringBuilder("CID=00000001\n");
    for (int i = 0; i < 1_000_000 && sb.length() < Descriptor.MAX_SIZE - 20; i++) {
      sb.append("RW 1 ZERO\n");
    }
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, sb.toString()))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("more than");
  }

  @Test
  void oversizedTextIsRefused() {
    byte[] big = new byte[Descriptor.MAX_SIZE + 1];
    java.util.Arrays.fill(big, (byte) '#');
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, ByteBuffer.wrap(big)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("larger than");
  }

  @Test
  void malformedExtentLines() {
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "RW x SPARSE \"a\"\n"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("not a number");
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "RW 8 SPARSE \"a\n"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "RW 8 SPARSE\n"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("without a file");
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "RW 8 FLAT \"a\" -5\n"))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "RW 8 WEIRD \"a\"\n"))
        .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("WEIRD");
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "CID=xyz\n").cid(FILE))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> Descriptor.parse(FILE, 0, "CID=123456789\n").cid(FILE))
        .isInstanceOf(CorruptStructureException.class);
  }
}
