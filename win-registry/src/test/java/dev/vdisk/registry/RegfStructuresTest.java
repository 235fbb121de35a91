package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.Cell;
import dev.vdisk.registry.internal.HiveBinHeader;
import dev.vdisk.registry.internal.KeyNode;
import dev.vdisk.registry.internal.SubkeyList;
import dev.vdisk.registry.internal.ValueKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge cases of the regf structures and the API, on hand-built bytes. */
class RegfStructuresTest {

  private static byte[] minimal() {
    TestHive t = new TestHive(4096);
    int root = t.cell(TestHive.nk("ROOT", KeyNode.KEY_HIVE_ENTRY, 0, 0, -1, 0, -1, -1, 0));
    return t.build(root);
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] rechecksum(byte[] f) {
    ByteBuffer b = le(f);
    int x = 0;
    for (int i = 0; i < 508; i += 4) {
      x ^= b.getInt(i);
    }
    b.putInt(508, x);
    return f;
  }

  @Test
  void baseBlockFieldsAndChecks() throws Exception {
    byte[] f = minimal();
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(f), "t");
    assertThat(bb.rootCellOffset()).isEqualTo(0x20);
    assertThat(bb.hiveBinsDataSize()).isEqualTo(4096);
    assertThat(bb.minorVersion()).isEqualTo(5);
    assertThat(bb.clean()).isTrue();

    byte[] badSum = f.clone();
    badSum[100] ^= 1;
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(badSum), "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("checksum");

    byte[] badSig = f.clone();
    badSig[0] = 'x';
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(badSig)), "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("signature");

    byte[] log = f.clone();
    le(log).putInt(28, 6);
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(log)), "t"))
        .isInstanceOf(UnsupportedFeatureException.class);

    byte[] v17 = f.clone();
    le(v17).putInt(24, 7);
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(v17)), "t"))
        .isInstanceOf(UnsupportedFeatureException.class);

    byte[] v12 = f.clone();
    le(v12).putInt(24, 2);
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(v12)), "t"))
        .isInstanceOf(UnsupportedFeatureException.class);

    byte[] size = f.clone();
    le(size).putInt(40, 4095);
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(size)), "t"))
        .isInstanceOf(CorruptStructureException.class);

    byte[] root = f.clone();
    le(root).putInt(36, 8192);
    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.wrap(rechecksum(root)), "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("root cell");

    assertThatThrownBy(() -> BaseBlock.parse(ByteBuffer.allocate(100), "t"))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void checksumAvoidsZeroAndAllOnes() {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(BaseBlock.computeChecksum(b)).isEqualTo(1);
    b.putInt(0, -1);
    assertThat(BaseBlock.computeChecksum(b)).isEqualTo(-2);
  }

  @Test
  void hiveBinsFileTooShortOrBinDamaged() {
    byte[] f = minimal();
    byte[] cut = java.util.Arrays.copyOf(f, 6000);
    assertThatThrownBy(() -> Hive.of(ByteBuffer.wrap(cut), "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("exceeds the file");
    byte[] bin = f.clone();
    le(bin).putInt(4096 + 8, 8192);
    assertThatThrownBy(() -> Hive.of(ByteBuffer.wrap(bin), "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("hbin");
    ByteBuffer header = ByteBuffer.wrap(f, 4096, 32).slice();
    assertThatThrownBy(() -> HiveBinHeader.parse(header, 4096, 4096, "t"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("records offset");
  }

  @Test
  void cellsFreeAllocatedAndOutOfBounds() throws Exception {
    ByteBuffer bins = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    bins.putInt(0x20, -16).putInt(0x30, 4096 - 0x30);
    Cell a = Cell.parse(bins, 0x20, "t");
    assertThat(a.allocated()).isTrue();
    assertThat(a.data().limit()).isEqualTo(12);
    assertThat(Cell.parse(bins, 0x30, "t").allocated()).isFalse();
    assertThatThrownBy(() -> Cell.allocated(bins, 0x30, "t", "nk"))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("free");
    assertThatThrownBy(() -> Cell.parse(bins, 0x24, "t"))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> Cell.parse(bins, -1, "t"))
        .isInstanceOf(CorruptStructureException.class);
    bins.putInt(0x20, Integer.MIN_VALUE);
    assertThatThrownBy(() -> Cell.parse(bins, 0x20, "t"))
        .isInstanceOf(CorruptStructureException.class);
    bins.putInt(0x20, -12);
    assertThatThrownBy(() -> Cell.parse(bins, 0x20, "t"))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void keyNodeNamesCompressedAndUtf16() throws Exception {
    KeyNode latin = KeyNode.parse(le(TestHive.nk("Über", 0, 0, 0, -1, 0, -1, -1, 0)), "t", 0);
    assertThat(latin.name()).isEqualTo("Über");
    assertThat(latin.flags() & KeyNode.KEY_COMP_NAME).isNotZero();
    KeyNode utf16 = KeyNode.parse(le(TestHive.nk("日本", 0, 0, 0, -1, 0, -1, -1, 0)), "t", 0);
    assertThat(utf16.name()).isEqualTo("日本");
    byte[] longName = TestHive.nk("abc", 0, 0, 0, -1, 0, -1, -1, 0);
    le(longName).putShort(72, (short) 200);
    assertThatThrownBy(() -> KeyNode.parse(le(longName), "t", 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("runs past");
    byte[] odd = TestHive.nk("日本", 0, 0, 0, -1, 0, -1, -1, 0);
    le(odd).putShort(72, (short) 3);
    assertThatThrownBy(() -> KeyNode.parse(le(odd), "t", 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("odd");
  }

  @Test
  void subkeyListsAndValueKeys() throws Exception {
    SubkeyList lh = SubkeyList.parse(le(TestHive.list("lh", 0x100, 0x200)), "t", 0);
    assertThat(lh.type()).isEqualTo("lh");
    assertThat(lh.offsets()).containsExactly(0x100, 0x200);
    byte[] tooMany = TestHive.list("li", 1, 2);
    le(tooMany).putShort(2, (short) 3);
    assertThatThrownBy(() -> SubkeyList.parse(le(tooMany), "t", 0))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> SubkeyList.parse(le(TestHive.list("zz", 1)), "t", 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("unknown");
    ValueKey inline = ValueKey.parse(le(TestHive.vk("v", 4, 0x80000004, 0x12345678)), "t", 0);
    assertThat(inline.inline()).isTrue();
    assertThat(inline.length()).isEqualTo(4);
    assertThat(inline.name()).isEqualTo("v");
  }

  /** A hive with an ri of an li and an lh, inline/cell/big data, and a class name. */
  static byte[] richHive() {
    TestHive t = new TestHive(3 * 4096 * 4);
    int rootAt = 0x20;
    byte[] rootPlaceholder = TestHive.nk("ROOT", KeyNode.KEY_HIVE_ENTRY, 0, 3, 0, 4, 0, 0, 0);
    t.cell(rootPlaceholder);
    int a = t.cell(TestHive.nk("a", 0, rootAt, 0, -1, 0, -1, -1, 0));
    int b = t.cell(TestHive.nk("B", 0, rootAt, 0, -1, 0, -1, -1, 0));
    int c = t.cell(TestHive.nk("日本", 0, rootAt, 0, -1, 0, -1, -1, 0));
    int li = t.cell(TestHive.list("li", a, b));
    int lh = t.cell(TestHive.list("lh", c));
    int ri = t.cell(TestHive.list("ri", li, lh));
    int inline = t.cell(TestHive.vk("inline", 4, 0x80000004, 0x01020304));
    byte[] str = "text\0".getBytes(StandardCharsets.UTF_16LE);
    int strData = t.cell(str);
    int strVk = t.cell(TestHive.vk("str", 1, str.length, strData));
    byte[] big = new byte[40000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    int s1 = t.cell(java.util.Arrays.copyOfRange(big, 0, 16344));
    int s2 = t.cell(java.util.Arrays.copyOfRange(big, 16344, 32688));
    int s3 = t.cell(java.util.Arrays.copyOfRange(big, 32688, 40000));
    int segs = t.cell(TestHive.offsets(s1, s2, s3));
    int db = t.cell(TestHive.db(3, segs));
    int bigVk = t.cell(TestHive.vk("big", 3, big.length, db));
    int dflt = t.cell(TestHive.vk("", 11, 0x80000000, 0));
    int values = t.cell(TestHive.offsets(strVk, inline, bigVk, dflt));
    byte[] cls = "Klasse".getBytes(StandardCharsets.UTF_16LE);
    int classAt = t.cell(cls);
    byte[] root = TestHive.nk("ROOT", KeyNode.KEY_HIVE_ENTRY, 0, 3, ri, 4, values, classAt,
        cls.length);
    t.bins.put(rootAt + 4, root);
    return t.build(rootAt);
  }

  @Test
  void walkOfRichHive() throws IOException {
    try (Hive h = Hive.of(ByteBuffer.wrap(richHive()), "t")) {
      RegistryKey root = h.root();
      assertThat(root.name()).isEqualTo("ROOT");
      assertThat(root.path()).isEmpty();
      assertThat(root.className()).contains("Klasse");
      assertThat(root.lastWritten().toString()).startsWith("20");
      assertThat(root.subkeys()).extracting(RegistryKey::name).containsExactly("a", "B", "日本");
      assertThat(h.key("\\b")).map(RegistryKey::path).contains("B");
      assertThat(h.key("日本")).isPresent();
      assertThat(h.key("a\\nothing")).isEmpty();
      assertThat(h.key("")).map(RegistryKey::name).contains("ROOT");
      List<RegistryValue> values = root.values();
      assertThat(values).extracting(RegistryValue::name)
          .containsExactly("str", "inline", "big", "");
      assertThat(root.value("STR").orElseThrow().asString()).isEqualTo("text");
      assertThat(root.value("inline").orElseThrow().asNumber()).isEqualTo(0x01020304L);
      byte[] big = root.value("big").orElseThrow().data();
      assertThat(big).hasSize(40000);
      assertThat(big[39999]).isEqualTo((byte) (39999 * 31));
      assertThat(root.value("").orElseThrow().data()).isEmpty();
      assertThat(root.value("").orElseThrow().valueType()).isEqualTo(ValueType.QWORD);
    }
  }

  @Test
  void exportOrderEscapingAndPerlBytes() throws IOException {
    try (Hive h = Hive.of(ByteBuffer.wrap(richHive()), "t")) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      RegExport.export(h.root(), "HKLM\\X\\", bytes);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertThat(text).startsWith(RegExport.HEADER + "\n\n[HKLM\\X\\]\n@=hex(b):\n");
      // sorted by code point: "B" < "a" < "日本", values "" < "big" < "inline" < "str"
      assertThat(text.indexOf("[HKLM\\X\\B]")).isLessThan(text.indexOf("[HKLM\\X\\a]"));
      assertThat(text.indexOf("[HKLM\\X\\a]")).isLessThan(text.indexOf("[HKLM\\X\\日本]"));
      assertThat(text).contains("\"inline\"=dword:01020304\n");
      assertThat(text).contains("\"str\"=hex(1):74,00,65,00,78,00,74,00,00,00\n");
      StringWriter w = new StringWriter();
      RegExport.export(h.root(), null, w);
      assertThat(w.toString()).contains("[\\日本]\n\n").contains("[\\]\n");
    }
  }

  @Test
  void latinOnlyNamesComeOutAsLatin1BytesLikePerl() throws IOException {
    TestHive t = new TestHive(4096);
    int rootAt = 0x20;
    t.cell(TestHive.nk("R", KeyNode.KEY_HIVE_ENTRY, 0, 1, 0, 0, -1, -1, 0));
    int child = t.cell(TestHive.nk("é", 0, rootAt, 0, -1, 0, -1, -1, 0));
    int list = t.cell(TestHive.list("lf", child));
    t.bins.put(rootAt + 4, TestHive.nk("R", KeyNode.KEY_HIVE_ENTRY, 0, 1, list, 0, -1, -1, 0));
    try (Hive h = Hive.of(ByteBuffer.wrap(t.build(rootAt)), "t")) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      RegExport.export(h.root(), null, bytes);
      byte[] out = bytes.toByteArray();
      byte[] expectedLine = {'[', '\\', (byte) 0xe9, ']', '\n'};
      assertThat(new String(out, StandardCharsets.ISO_8859_1))
          .contains(new String(expectedLine, StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void loopsAndCountMismatchesAreCorrupt() throws IOException {
    TestHive t = new TestHive(4096);
    int rootAt = 0x20;
    t.cell(TestHive.nk("R", KeyNode.KEY_HIVE_ENTRY, 0, 1, 0, 0, -1, -1, 0));
    int list = t.cell(TestHive.list("lf", rootAt));
    t.bins.put(rootAt + 4, TestHive.nk("R", KeyNode.KEY_HIVE_ENTRY, 0, 1, list, 0, -1, -1, 0));
    try (Hive h = Hive.of(ByteBuffer.wrap(t.build(rootAt)), "t")) {
      assertThatThrownBy(() -> RegExport.export(h.root(), null, new StringWriter()))
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("twice");
    }
    t.bins.put(rootAt + 4, TestHive.nk("R", KeyNode.KEY_HIVE_ENTRY, 0, 2, list, 0, -1, -1, 0));
    try (Hive h = Hive.of(ByteBuffer.wrap(t.build(rootAt)), "t")) {
      assertThatThrownBy(() -> h.root().subkeys())
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("lists 1");
    }
  }

  @Test
  void typedValueAccessors() {
    RegistryValue multi = new RegistryValue("m", 7,
        "a\0bc\0\0junk".getBytes(StandardCharsets.UTF_16LE));
    assertThat(multi.asStrings()).containsExactly("a", "bc");
    RegistryValue be = new RegistryValue("b", 5, new byte[] {0x12, 0x34, 0x56, 0x78});
    assertThat(be.asNumber()).isEqualTo(0x12345678L);
    RegistryValue dword = new RegistryValue("d", 4, new byte[] {-1, -1, -1, -1});
    assertThat(dword.asNumber()).isEqualTo(0xffffffffL);
    RegistryValue odd = new RegistryValue("s", 1, new byte[] {'a', 0, 'b'});
    assertThat(odd.asString()).isEqualTo("a");
    assertThatThrownBy(dword::asString).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(new RegistryValue("q", 11, new byte[3])::asNumber)
        .isInstanceOf(IllegalStateException.class);
    assertThat(ValueType.of(0x1234)).isEqualTo(ValueType.UNKNOWN);
    assertThat(ValueType.of(10)).isEqualTo(ValueType.RESOURCE_REQUIREMENTS_LIST);
    assertThat(ValueType.QWORD.code()).isEqualTo(11);
  }

  @Test
  void caseInsensitiveComparisonPerCodeUnit() {
    assertThat(RegistryKey.equalsIgnoreCase("straße", "STRAßE")).isTrue();
    assertThat(RegistryKey.equalsIgnoreCase("äöü", "ÄÖÜ")).isTrue();
    assertThat(RegistryKey.equalsIgnoreCase("ab", "abc")).isFalse();
    assertThat(RegistryKey.equalsIgnoreCase("日本", "日本")).isTrue();
  }
}
