package dev.vdisk.inspect.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.InstalledPackage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Arbitrary bytes into the os-release, dpkg status, apk installed and ELF header readers: the
 * text parsers never throw and give well-formed records; the ELF reader throws only
 * {@link CorruptStructureException}. The seeds in {@code LinuxParsersFuzzTestInputs/} (made by
 * {@code testdata/scripts/make-inspect-fuzz-seeds.sh}) run as a regression test in every build;
 * set {@code JAZZER_FUZZ=1} to fuzz.
 */
class LinuxParsersFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void osRelease(byte[] input) {
    Map<String, String> m = OsRelease.parse(new String(input, StandardCharsets.UTF_8));
    for (Map.Entry<String, String> e : m.entrySet()) {
      assertTrue(e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*"), e.getKey());
      assertNotNull(e.getValue());
    }
  }

  @FuzzTest(maxDuration = "1m")
  void dpkgStatus(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    for (boolean statusD : new boolean[] {false, true}) {
      for (InstalledPackage p : DpkgStatus.parse(text, statusD)) {
        assertFalse(p.name().isEmpty());
        assertEquals("deb", p.format());
        DpkgStatus.Version v = DpkgStatus.Version.split(p.version());
        String rebuilt = (v.epoch() == null ? "" : p.version().substring(0,
            p.version().indexOf(':') + 1)) + v.upstream() + (v.revision().isEmpty()
            && !p.version().endsWith("-") ? "" : "-" + v.revision());
        assertEquals(p.version(), rebuilt);
      }
    }
  }

  @FuzzTest(maxDuration = "1m")
  void apkInstalled(byte[] input) {
    for (InstalledPackage p : ApkInstalled.parse(new String(input, StandardCharsets.UTF_8))) {
      assertFalse(p.name().isEmpty());
      assertTrue(p.installed());
      assertEquals(p.version(), p.release().isEmpty() ? p.upstreamVersion()
          : p.upstreamVersion() + "-" + p.release());
    }
  }

  @FuzzTest(maxDuration = "1m")
  void elfHeader(byte[] input) {
    try {
      ElfHeader h = ElfHeader.parse(ByteBuffer.wrap(input), null);
      assertNotNull(h.architecture());
    } catch (CorruptStructureException expected) {
      // not an ELF file
    }
  }
}
