package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RegFile}: every syntax form, and malformed input reported with its line number. */
class RegFileTest {
  private static final String H = RegFile.HEADER_V5 + "\n\n";

  private static RegFile parse(String text) throws CorruptStructureException {
    return RegFile.parse(text, "t.reg");
  }

  private static RegistryValue onlyValue(String valueLine) throws CorruptStructureException {
    List<RegFile.Record> r = parse(H + "[\\K]\n" + valueLine + "\n").records();
    assertThat(r).hasSize(2);
    assertThat(r.get(1)).isInstanceOf(RegFile.SetValue.class);
    RegFile.SetValue s = (RegFile.SetValue) r.get(1);
    assertThat(s.keyPath()).isEqualTo("\\K");
    assertThat(s.line()).isEqualTo(4);
    return s.value();
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void recordsInFileOrder() throws CorruptStructureException {
    RegFile f = parse(H + "; a comment\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\n\"x\"=\"1\"\n"
        + "\"y\"=-\n@=-\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\B]\n\n[\\C]\n  ; indented comment\n"
        + "@=dword:00000002\n");
    assertThat(f.version()).isEqualTo(RegFile.Version.V5);
    assertThat(f.source()).isEqualTo("t.reg");
    assertThat(f.records()).containsExactly(
        new RegFile.CreateKey("HKEY_LOCAL_MACHINE\\SOFTWARE\\A", 4),
        new RegFile.SetValue("HKEY_LOCAL_MACHINE\\SOFTWARE\\A",
            new RegistryValue("x", 1, hex("310000 00".replace(" ", ""))), 5),
        new RegFile.DeleteValue("HKEY_LOCAL_MACHINE\\SOFTWARE\\A", "y", 6),
        new RegFile.DeleteValue("HKEY_LOCAL_MACHINE\\SOFTWARE\\A", "", 7),
        new RegFile.DeleteKey("HKEY_LOCAL_MACHINE\\SOFTWARE\\B", 9),
        new RegFile.CreateKey("\\C", 11),
        new RegFile.SetValue("\\C", new RegistryValue("", 4, hex("02000000")), 13));
  }

  @Test
  void regedit4Header() throws CorruptStructureException {
    RegFile f = parse("REGEDIT4\r\n\r\n[\\K]\r\n\"a\"=\"b\"\r\n");
    assertThat(f.version()).isEqualTo(RegFile.Version.REGEDIT4);
    assertThat(f.records()).hasSize(2);
  }

  @Test
  void stringsAndEscapes() throws CorruptStructureException {
    RegistryValue v = onlyValue("\"q\\\"uo\\\\te\"=\"a \\\"b\\\" c\\\\d\"");
    assertThat(v.name()).isEqualTo("q\"uo\\te");
    assertThat(v.type()).isEqualTo(1);
    assertThat(v.asString()).isEqualTo("a \"b\" c\\d");
    assertThat(v.data()).hasSize(("a \"b\" c\\d".length() + 1) * 2);
    assertThat(onlyValue("\"e\"=\"\"").data()).isEqualTo(new byte[2]);
    // Wine's escapes; other escapes keep their backslash
    assertThat(onlyValue("\"w\"=\"1\\n2\\r3\\0\"").data())
        .isEqualTo("1\n2\r3\0\0".getBytes(StandardCharsets.UTF_16LE));
    assertThat(onlyValue("\"p\"=\"C:\\Windows\"").asString()).isEqualTo("C:\\Windows");
    assertThat(onlyValue("\"j\"=\"日本語\"").asString()).isEqualTo("日本語");
    assertThat(onlyValue("@=\"default\"").name()).isEmpty();
    assertThat(onlyValue("\"c\"=\"x\" ; trailing comment").asString()).isEqualTo("x");
  }

  @Test
  void dwords() throws CorruptStructureException {
    assertThat(onlyValue("\"d\"=dword:12345678").data()).isEqualTo(hex("78563412"));
    assertThat(onlyValue("\"d\"=dword:ffffffff").data()).isEqualTo(hex("ffffffff"));
    assertThat(onlyValue("\"d\"=DWORD:1").data()).isEqualTo(hex("01000000"));
    assertThat(onlyValue("\"d\"=dword:0000000A").asNumber()).isEqualTo(10);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "hex:00,01,02,ff,fe|3|000102fffe",
      "hex:|3|''",
      "hex(0):|0|''",
      "hex(2):25,00,50,00,00,00|2|250050000000",
      "hex(7):61,00,00,00,00,00|7|610000000000",
      "hex(b):01,02,03,04,05,06,07,08|11|0102030405060708",
      "hex(100000):aa|1048576|aa",
      "hex(1234abcd):09,08|305441741|0908",
      "hex(ffffffff):01|-1|01",
      "hex(4):01,02|4|0102",
      "HEX(A):05 , 06 ,|10|0506"})
  void hexForms(String data, int type, String bytes) throws CorruptStructureException {
    RegistryValue v = onlyValue("\"v\"=" + data);
    assertThat(v.type()).isEqualTo(type);
    assertThat(v.data()).isEqualTo(hex(bytes));
  }

  @Test
  void strForms() throws CorruptStructureException {
    RegistryValue v = onlyValue("\"s\"=str(2):\"%PATH%\"");
    assertThat(v.type()).isEqualTo(2);
    assertThat(v.asString()).isEqualTo("%PATH%");
    assertThat(v.data()).hasSize(14);
    RegistryValue w = onlyValue("\"s\"=str:\"x\"");
    assertThat(w.type()).isEqualTo(1);
    assertThat(w.data()).isEqualTo(hex("78000000"));
  }

  @Test
  void continuationLines() throws CorruptStructureException {
    RegFile f = parse(H + "[\\K]\r\n\"b\"=hex:00,01,\\\r\n  02,03,\\\r\n  04\r\n\"n\"=dword:1\r\n");
    RegFile.SetValue b = (RegFile.SetValue) f.records().get(1);
    assertThat(b.value().data()).isEqualTo(hex("0001020304"));
    assertThat(b.line()).isEqualTo(4);
    RegFile.SetValue n = (RegFile.SetValue) f.records().get(2);
    assertThat(n.line()).isEqualTo(7);
    // a backslash inside a quoted string at the end of the line is not a continuation
    RegFile g = parse(H + "[\\K]\n\"p\"=\"C:\\\\\"\n\"q\"=\"r\"\n");
    assertThat(((RegFile.SetValue) g.records().get(1)).value().asString()).isEqualTo("C:\\");
    assertThat(g.records()).hasSize(3);
  }

  @Test
  void encodings() throws CorruptStructureException {
    String text = H.replace("\n", "\r\n") + "[\\日本]\r\n\"é\"=\"ü\"\r\n";
    byte[] le = text.getBytes(StandardCharsets.UTF_16LE);
    byte[] withBom = new byte[le.length + 2];
    withBom[0] = (byte) 0xff;
    withBom[1] = (byte) 0xfe;
    System.arraycopy(le, 0, withBom, 2, le.length);
    for (byte[] b : List.of(withBom, le, text.getBytes(StandardCharsets.UTF_8),
        ("\ufeff" + text).getBytes(StandardCharsets.UTF_8),
        ("\ufeff" + text).getBytes(StandardCharsets.UTF_16BE))) {
      RegFile f = RegFile.parse(b, "t.reg");
      assertThat(f.records()).containsExactly(new RegFile.CreateKey("\\日本", 3),
          new RegFile.SetValue("\\日本", new RegistryValue("é", 1,
              "ü\0".getBytes(StandardCharsets.UTF_16LE)), 4));
    }
    // hivexregedit's mix: a Latin-1 line beside UTF-8 lines
    byte[] latin1 = "\"é\"=hex:01\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] utf8 = (H + "[\\日本]\n").getBytes(StandardCharsets.UTF_8);
    byte[] mixed = new byte[utf8.length + latin1.length];
    System.arraycopy(utf8, 0, mixed, 0, utf8.length);
    System.arraycopy(latin1, 0, mixed, utf8.length, latin1.length);
    RegFile m = RegFile.parse(mixed, "t.reg");
    assertThat(m.records().get(0).keyPath()).isEqualTo("\\日本");
    assertThat(((RegFile.SetValue) m.records().get(1)).value().name()).isEqualTo("é");
  }

  @Test
  void keyPathsKeepWhatIsWritten() throws CorruptStructureException {
    RegFile f = parse(H + "[\\a]b]\n[-\\x\\y]\n[HKEY_CURRENT_USER\\Software\\Name with spaces]\n");
    assertThat(f.records()).extracting(RegFile.Record::keyPath)
        .containsExactly("\\a]b", "\\x\\y", "HKEY_CURRENT_USER\\Software\\Name with spaces");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not a header|1",
      "''|1",
      "HEADER\\n\\n\"x\"=\"outside a key\"|3",
      "HEADER\\n[\\K\\n|2",
      "HEADER\\n[]\\n|2",
      "HEADER\\n[\\K]\\n\"x\"=\"unterminated\\n|3",
      "HEADER\\n[\\K]\\n\"x\"\"y\"\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=dword:123456789\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=dword:\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=dword:xyz\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex:1,2\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex:0102\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex:zz\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex(123456789):00\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex():00\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex(g):00\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=hex(2)00\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=unknown:00\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=\"a\"b\\n|3",
      "HEADER\\n[\\K]\\n\"x\"=str(1):noquote\\n|3",
      "HEADER\\n[\\K]\\nstray text\\n|3"})
  void malformedInputNamesTheLine(String text, int line) {
    String t = text.replace("HEADER", RegFile.HEADER_V5).replace("\\n", "\n");
    assertThatThrownBy(() -> parse(t))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("t.reg")
        .hasMessageContaining("line " + line + ":")
        .satisfies(e -> assertThat(((CorruptStructureException) e).offset()).isEqualTo(line));
  }

  @Test
  void badContinuationNamesTheFirstLine() {
    String t = H + "[\\K]\n\"a\"=dword:1\n\"b\"=hex:00,\\\n  01,\\\n  zz\n";
    assertThatThrownBy(() -> parse(t)).isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("line 5:");
  }
}
