package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.BigData;
import dev.vdisk.registry.internal.HiveBinHeader;
import dev.vdisk.registry.internal.KeyNode;
import dev.vdisk.registry.internal.SecurityKey;
import dev.vdisk.registry.internal.SubkeyList;
import dev.vdisk.registry.internal.ValueKey;
import dev.vdisk.testdata.FuzzFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Jazzer fuzz tests: every regf structure parser on arbitrary bytes, and a whole small hive
 * (made by hivexregedit --merge) patched at random offsets, opened, walked and exported. Every
 * failure must be a typed {@link CorruptStructureException} or {@link
 * UnsupportedFeatureException}; the seed corpus runs as a regression test in {@code mvn verify}.
 */
class RegistryFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void baseBlock(byte[] input) {
    try {
      BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(Arrays.copyOf(input, 512)), "fuzz");
      assertThat(bb.hiveBinsDataSize() % BaseBlock.ALIGNMENT).isZero();
      assertThat(bb.rootCellOffset()).isBetween(0x20, bb.hiveBinsDataSize() - 1);
      assertThat(bb.minorVersion()).isBetween(3, 6);
    } catch (CorruptStructureException | UnsupportedFeatureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void hiveBinHeader(byte[] input) {
    try {
      HiveBinHeader h = HiveBinHeader.parse(ByteBuffer.wrap(input), 0, 1 << 20, "fuzz");
      assertThat(h.size()).isBetween(4096, 1 << 20);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void keyNode(byte[] input) {
    try {
      KeyNode k = KeyNode.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(k.name().length()).isLessThanOrEqualTo(input.length);
      assertThat(k.subkeyCount()).isNotNegative();
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void subkeyList(byte[] input) {
    try {
      SubkeyList l = SubkeyList.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(l.offsets().length).isLessThanOrEqualTo(input.length / 4);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void valueKey(byte[] input) {
    try {
      ValueKey v = ValueKey.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(v.length()).isNotNegative();
      assertThat(v.name().length()).isLessThanOrEqualTo(input.length);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void bigData(byte[] input) {
    try {
      assertThat(BigData.parse(ByteBuffer.wrap(input), "fuzz", 0).segmentCount()).isPositive();
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "30s")
  void securityKey(byte[] input) {
    try {
      SecurityKey s = SecurityKey.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(s.descriptor().length).isLessThanOrEqualTo(input.length);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  /**
   * The small hive patched by the input (its first byte: recompute the checksum when odd; then
   * patches of offset u32 LE, length u8, bytes).
   */
  static byte[] patchedHive(byte[] input) {
    boolean fixChecksum = input.length > 0 && (input[0] & 1) != 0;
    byte[] image = FuzzFiles.patched(baseHive(),
        ByteBuffer.wrap(input, Math.min(1, input.length), Math.max(0, input.length - 1)));
    if (fixChecksum) {
      ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(508, BaseBlock.computeChecksum(b));
    }
    return image;
  }

  private static byte[] baseHive;

  private static synchronized byte[] baseHive() {
    if (baseHive == null) {
      try (InputStream in = new GZIPInputStream(
          RegistryFuzzTest.class.getResourceAsStream("fuzz-hive.regf.gz"))) {
        baseHive = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return baseHive;
  }

  /**
   * The input is a list of patches (offset u32 LE, length u8, bytes) over a small hive made by
   * hivexregedit --merge (testdata/scripts/make-hives.sh, types.hive); the base block checksum is
   * recomputed when the first byte of the input is odd, so that the fuzzer gets past it.
   */
  @FuzzTest(maxDuration = "2m")
  void hive(byte[] input) throws IOException {
    byte[] image = patchedHive(input);
    try (Hive h = Hive.of(ByteBuffer.wrap(image), "fuzz")) {
      RegExport.export(h.root(), "HKLM", Writer.nullWriter());
      h.key("Types\\Sub key");
      for (RegistryKey k : h.root().subkeys()) {
        k.className();
        for (RegistryValue v : k.values()) {
          switch (v.valueType()) {
            case SZ, EXPAND_SZ, LINK -> v.asString();
            case MULTI_SZ -> v.asStrings();
            default -> { }
          }
        }
      }
    } catch (CorruptStructureException | UnsupportedFeatureException expected) {
      // rejected with a typed error
    }
  }
}
