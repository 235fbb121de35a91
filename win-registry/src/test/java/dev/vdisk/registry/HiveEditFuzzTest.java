package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.registry.internal.HiveCheck;
import dev.vdisk.registry.internal.HiveEditor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz tests of the hive editor: fuzzer-chosen edit sequences on a new hive must keep
 * {@link HiveCheck} clean and the hive equal to a model; edits on a damaged hive must fail only
 * with typed errors.
 */
class HiveEditFuzzTest {

  private static String name(FuzzedDataProvider data) {
    String n = data.consumeString(12).replace('\\', '_');
    return n.isEmpty() ? "k" : n;
  }

  @FuzzTest(maxDuration = "1m")
  void edits(FuzzedDataProvider data) throws IOException {
    HiveEditor e = HiveEditor.inMemory(HiveEditor.emptyHive("ROOT"), "fuzz");
    RegModel model = new RegModel("ROOT");
    List<List<String>> keys = new ArrayList<>();
    keys.add(List.of());
    int ops = 0;
    boolean bulkDone = false;
    while (data.remainingBytes() > 0 && ops++ < 100) {
      List<String> key = keys.get(data.consumeInt(0, keys.size() - 1));
      switch (data.consumeInt(0, 5)) {
        case 0 -> {
          List<String> p = new ArrayList<>(key);
          p.add(name(data));
          e.createKey(String.join("\\", p));
          model.createKey(p);
          keys.add(p);
        }
        case 1 -> {
          // Once per input: enough subkeys to split a leaf (more than 507).
          int n = bulkDone ? 1 : data.consumeInt(1, 1200);
          bulkDone = true;
          List<String> p = new ArrayList<>(key);
          p.add("many");
          for (int i = 0; i < n; i++) {
            List<String> c = new ArrayList<>(p);
            c.add("k" + (i * 7919 % 1201));
            e.createKey(String.join("\\", c));
            model.createKey(c);
          }
          keys.add(p);
        }
        case 2 -> {
          if (!key.isEmpty()) {
            boolean exists = model.find(key) != null;
            assertThat(e.deleteKey(String.join("\\", key))).isEqualTo(exists);
            model.deleteKey(key);
          }
        }
        case 3, 4 -> {
          if (model.find(key) != null) {
            String n = data.consumeBoolean() ? "" : name(data);
            int type = data.consumeInt(0, 12);
            int size = data.consumeBoolean() ? data.consumeInt(0, 34000) : data.consumeInt(0, 8);
            byte[] d = new byte[size];
            byte fill = data.consumeByte();
            java.util.Arrays.fill(d, fill);
            RegistryValue v = new RegistryValue(n, type, d);
            e.setValue(String.join("\\", key), v.name(), v.type(), v.data());
            model.setValue(key, v);
          }
        }
        default -> {
          if (model.find(key) != null) {
            String n = data.consumeBoolean() ? "" : name(data);
            assertThat(e.deleteValue(String.join("\\", key), n))
                .isEqualTo(model.deleteValue(key, n));
          }
        }
      }
    }
    assertThat(HiveCheck.check(e.file())).isEmpty();
    Hive h = Hive.of(e.snapshot(), "fuzz");
    assertThat(RegModel.of(h).export()).isEqualTo(model.export());
  }

  /**
   * The input is patches (offset u32 LE, length u8, bytes) over the small hive of
   * {@link RegistryFuzzTest#hive}; the checksum is fixed when the first byte is odd. A fixed set
   * of edits is applied; only typed errors may come out.
   */
  @FuzzTest(maxDuration = "1m")
  void editsOnPatchedHive(byte[] input) throws IOException {
    byte[] image = RegistryFuzzTest.patchedHive(input);
    try {
      HiveEditor e = HiveEditor.inMemory(ByteBuffer.wrap(image), "fuzz");
      HiveCheck.check(e.file());
      e.createKey("Types\\New\\Deeper");
      e.setValue("Types", "sz", 1, new byte[] {1, 0, 0, 0, 0, 0});
      e.setValue("Types", "big", 3, new byte[20000]);
      e.setValue("Types\\Sub key", "", 4, new byte[4]);
      e.deleteValue("Types", "binary");
      e.deleteValue("Types", "big");
      e.deleteKey("Types\\Sub key");
      e.deleteKey("日本語キー");
      e.createKey("Compressed\\Deep\\Er\\Again");
      e.deleteKey("Compressed");
      HiveCheck.check(e.file());
    } catch (CorruptStructureException | UnsupportedFeatureException expected) {
      // rejected with a typed error
    } catch (java.nio.file.NoSuchFileException expected) {
      // a key the damage removed
    }
  }
}
