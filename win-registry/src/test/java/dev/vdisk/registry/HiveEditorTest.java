package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.registry.internal.CellAllocator;
import dev.vdisk.registry.internal.HiveCheck;
import dev.vdisk.registry.internal.HiveEditor;
import dev.vdisk.registry.internal.HiveFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cell allocator and the editor on hives in memory, checked with {@link HiveCheck}. */
class HiveEditorTest {

  static List<String> problemsExceptLeaks(HiveFile f) {
    return HiveCheck.check(f).stream().filter(p -> !p.startsWith("leak:")).toList();
  }

  static long leaks(HiveFile f) {
    return HiveCheck.check(f).stream().filter(p -> p.startsWith("leak:")).count();
  }

  @Test
  void emptyHiveIsValid() throws IOException {
    ByteBuffer b = HiveEditor.emptyHive("ROOT");
    assertThat(b.limit()).isEqualTo(8192);
    HiveFile f = HiveFile.of(b, "empty");
    assertThat(HiveCheck.check(f)).isEmpty();
    Hive h = Hive.of(b, "empty");
    assertThat(h.root().name()).isEqualTo("ROOT");
    assertThat(h.root().subkeys()).isEmpty();
    assertThat(f.baseBlock().minorVersion()).isEqualTo(5);
    assertThat(f.root().isRoot()).isTrue();
  }

  @Test
  void freedCellIsReusedAndNeighboursCoalesce() throws IOException {
    HiveEditor e = HiveEditor.inMemory(HiveEditor.emptyHive("ROOT"), "t");
    CellAllocator a = e.allocator();
    HiveFile f = e.file();
    int freeCells = a.freeCells();
    long freeBytes = a.freeBytes();
    int x = a.allocate(100);
    int y = a.allocate(20);
    int z = a.allocate(36);
    assertThat(y).isEqualTo(x + CellAllocator.cellSize(100));
    assertThat(z).isEqualTo(y + CellAllocator.cellSize(20));
    assertThat(problemsExceptLeaks(f)).isEmpty();
    assertThat(leaks(f)).isEqualTo(3);
    // A freed cell is the best fit for a request of its size: it is reused.
    a.free(y);
    assertThat(a.allocate(20)).isEqualTo(y);
    // Freeing x and y merges them into one free cell; z keeps them from the free tail.
    a.free(x);
    a.free(y);
    assertThat(a.freeCells()).isEqualTo(freeCells + 1);
    assertThat(f.bins().getInt(x)).isEqualTo(CellAllocator.cellSize(100)
        + CellAllocator.cellSize(20));
    // A request that fits the merged cell splits it.
    int w = a.allocate(60);
    assertThat(w).isEqualTo(x);
    assertThat(problemsExceptLeaks(f)).isEmpty();
    a.free(w);
    a.free(z);
    // Everything freed: back to one free cell after the root's cells, nothing leaked.
    assertThat(a.freeCells()).isEqualTo(freeCells);
    assertThat(a.freeBytes()).isEqualTo(freeBytes);
    assertThat(HiveCheck.check(f)).isEmpty();
  }

  @Test
  void growsWithBinsBigEnoughForLargeCells() throws IOException {
    HiveEditor e = HiveEditor.inMemory(HiveEditor.emptyHive("ROOT"), "t");
    CellAllocator a = e.allocator();
    HiveFile f = e.file();
    int big = a.allocate(20000);
    assertThat(big).isEqualTo(4096 + 32);
    // A cell of 20008 bytes and the 32-byte bin header round up to 20480.
    assertThat(f.bins().limit()).isEqualTo(4096 + 20480);
    assertThat(f.baseBlock().hiveBinsDataSize()).isEqualTo(f.bins().limit());
    assertThat(f.bins().getInt(4096 + 8)).isEqualTo(20480);
    int small = a.allocate(8);
    assertThat(small).isGreaterThan(big);
    assertThat(problemsExceptLeaks(f)).isEmpty();
    List<Integer> cells = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      cells.add(a.allocate(100));
    }
    assertThat(f.bins().limit() % 4096).isZero();
    assertThat(problemsExceptLeaks(f)).isEmpty();
    assertThat(f.isDirty()).isTrue();
    assertThat(f.dirtySectors().nextSetBit(8)).isEqualTo(8);
    a.free(big);
    a.free(small);
    for (int c : cells) {
      a.free(c);
    }
    assertThat(HiveCheck.check(f)).isEmpty();
    // After freeing all, every bin holds one free cell (the first one after the root's cells).
    assertThat(a.freeCells()).isEqualTo(countBins(f));
    assertThat(a.freeBytes()).isEqualTo(f.bins().limit() - 32L * countBins(f)
        - (0x20 + 0 - 32) - rootCells(f));
  }

  /** Bytes of the first bin's allocated cells of an empty hive (root nk and sk). */
  static long rootCells(HiveFile f) {
    long n = 0;
    for (int at = 32; at < 4096; at += Math.abs(f.bins().getInt(at))) {
      if (f.bins().getInt(at) < 0) {
        n -= f.bins().getInt(at);
      }
    }
    return n;
  }

  static int countBins(HiveFile f) {
    int n = 0;
    for (int at = 0; at < f.bins().limit(); at += f.bins().getInt(at + 8)) {
      n++;
    }
    return n;
  }

  @Test
  void editsKeepTheHiveValid() throws IOException {
    HiveEditor e = HiveEditor.inMemory(HiveEditor.emptyHive("ROOT"), "t");
    e.createKey("A\\B\\C");
    e.createKey("a\\b\\d");
    e.createKey("日本語\\😀");
    e.setValue("A", "", 1, "x\0".getBytes(StandardCharsets.UTF_16LE));
    e.setValue("A", "dw", 4, new byte[] {1, 2, 3, 4});
    e.setValue("A\\B", "big", 3, new byte[100 * 1024]);
    e.setValue("A\\B", "mid", 3, new byte[16344]);
    assertThat(HiveCheck.check(e.file())).isEmpty();
    Hive h = Hive.of(e.snapshot(), "t");
    assertThat(h.key("A\\B").orElseThrow().subkeys()).extracting(RegistryKey::name)
        .containsExactly("C", "d");
    assertThat(h.key("a\\B").orElseThrow().value("BIG").orElseThrow().data()).hasSize(102400);
    assertThat(h.key("日本語\\😀")).isPresent();
    e.setValue("A\\B", "big", 3, new byte[] {9});
    assertThat(e.deleteValue("A", "DW")).isTrue();
    assertThat(e.deleteValue("A", "DW")).isFalse();
    assertThat(HiveCheck.check(e.file())).isEmpty();
    assertThat(e.deleteKey("a")).isTrue();
    assertThat(e.deleteKey("a")).isFalse();
    e.deleteKey("日本語");
    assertThat(HiveCheck.check(e.file())).isEmpty();
    // Everything gone: only the root and its sk remain allocated.
    assertThat(e.allocator().freeCells()).isEqualTo(countBins(e.file()));
  }

  @Test
  void manySubkeysSplitIntoAnIndexRoot() throws IOException {
    HiveEditor e = HiveEditor.inMemory(HiveEditor.emptyHive("ROOT"), "t");
    Random r = new Random(7);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      names.add("k" + Integer.toString(r.nextInt(1 << 30), 36) + i);
    }
    for (String n : names) {
      e.createKey("Many\\" + n);
    }
    assertThat(HiveCheck.check(e.file())).isEmpty();
    Hive h = Hive.of(e.snapshot(), "t");
    assertThat(h.key("Many").orElseThrow().subkeys()).hasSize(3000);
    for (int i = 0; i < 3000; i += 2) {
      assertThat(e.deleteKey("Many\\" + names.get(i).toUpperCase())).isTrue();
    }
    assertThat(HiveCheck.check(e.file())).isEmpty();
    for (int i = 1; i < 3000; i += 2) {
      e.deleteKey("Many\\" + names.get(i));
    }
    assertThat(HiveCheck.check(e.file())).isEmpty();
    assertThat(Hive.of(e.snapshot(), "t").key("Many").orElseThrow().subkeys()).isEmpty();
  }
}
