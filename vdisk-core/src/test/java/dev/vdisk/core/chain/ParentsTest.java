package dev.vdisk.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParentsTest {
  @TempDir Path dir;

  private Path child(String name, String... locators) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, ChainTestFormat.MAGIC + String.join("\n", locators) + "\n");
    return file;
  }

  @Test
  void locatesRelativeAbsoluteAndWindowsStylePaths() throws Exception {
    Files.createDirectories(dir.resolve("base"));
    Path base = dir.resolve("base/disk.raw");
    Files.write(base, new byte[4096]);
    Path child = dir.resolve("child.x");
    assertThat(Parents.locate(child, List.of("base/disk.raw"))).isEqualTo(base);
    assertThat(Parents.locate(child, List.of(base.toString()))).isEqualTo(base);
    assertThat(Parents.locate(child, List.of(".\\base\\disk.raw"))).isEqualTo(base);
    // A Windows absolute path is tried by its file name next to the child.
    Files.write(dir.resolve("win.vhdx"), new byte[512]);
    assertThat(Parents.locate(child, List.of("C:\\VMs\\Hyper-V\\win.vhdx")))
        .isEqualTo(dir.resolve("win.vhdx"));
    // The first locator that exists wins.
    assertThat(Parents.locate(child, List.of("nope.raw", "", "base/disk.raw"))).isEqualTo(base);
  }

  @Test
  void missingParentNamesEveryPathTried() {
    Path child = dir.resolve("child.x");
    assertThatThrownBy(() -> Parents.locate(child, List.of("gone.vhd", "D:\\x\\gone2.vhd")))
        .isInstanceOf(MissingParentException.class)
        .hasMessageContaining("gone.vhd")
        .hasMessageContaining("gone2.vhd")
        .satisfies(e -> assertThat(((MissingParentException) e).tried()).hasSize(2));
  }

  @Test
  void opensAChainThroughAnyFormat() throws Exception {
    byte[] data = new byte[8192];
    data[100] = 42;
    Files.write(dir.resolve("base.raw"), data);
    child("mid.x", "base.raw");
    Path top = child("top.x", "mid.x");
    try (VirtualDisk disk = VirtualDisks.open(top)) {
      assertThat(disk.format().name()).isEqualTo("chaintest");
      assertThat(disk.info().chain()).extracting(e -> e.format())
          .containsExactly("chaintest", "chaintest", "raw");
      ByteBuffer b = ByteBuffer.allocate(1);
      disk.read(100, b);
      assertThat(b.get(0)).isEqualTo((byte) 42);
    }
  }

  @Test
  void loopsAreCorruptNotEndless() throws Exception {
    child("a.x", "b.x");
    child("b.x", "a.x");
    assertThatThrownBy(() -> VirtualDisks.open(dir.resolve("a.x")))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("parent chain")
        .hasMessageContaining("loops");
    Path self = child("self.x", "self.x");
    assertThatThrownBy(() -> VirtualDisks.open(self))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void absurdDepthIsCorrupt() throws Exception {
    Files.write(dir.resolve("d0.raw"), new byte[512]);
    child("d1.x", "d0.raw");
    for (int i = 2; i <= Parents.MAX_DEPTH + 1; i++) {
      child("d" + i + ".x", "d" + (i - 1) + ".x");
    }
    assertThatThrownBy(() -> VirtualDisks.open(dir.resolve("d" + (Parents.MAX_DEPTH + 1) + ".x")))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining(String.valueOf(Parents.MAX_DEPTH));
    try (VirtualDisk ok = VirtualDisks.open(dir.resolve("d100.x"))) {
      assertThat(ok.info().chain()).hasSize(101);
    }
  }
}
