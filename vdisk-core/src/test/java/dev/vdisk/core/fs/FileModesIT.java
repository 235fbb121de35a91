package dev.vdisk.core.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileModes#format} against {@code stat -c %A} for every permission bit pattern. */
class FileModesIT {
  @TempDir Path dir;

  @Test
  void formatsAsStatDoes() throws Exception {
    Oracles.require("stat", "coreutils");
    Path file = dir.resolve("f");
    Path sub = dir.resolve("d");
    Files.createFile(file);
    Files.createDirectory(sub);
    StringBuilder script = new StringBuilder();
    int[] modes = new int[512];
    for (int i = 0; i < modes.length; i++) {
      modes[i] = (i * 37 + (i >> 3) * 4096) & 07777;
    }
    for (int m : modes) {
      script.append(String.format("chmod %o %s %s; stat -c '%%a %%A' %s %s;", m, file, sub, file, sub));
    }
    String[] out = Oracles.runOk("sh", "-c", script.toString()).split("\n");
    assertThat(out).hasSize(modes.length * 2);
    // chmod keeps a directory's setgid bit with a 4-digit mode: take the mode stat reports.
    for (int i = 0; i < out.length; i++) {
      String[] f = out[i].split(" ");
      int type = i % 2 == 0 ? 0100000 : 0040000;
      assertThat(FileModes.format(type | Integer.parseInt(f[0], 8))).isEqualTo(f[1]);
    }
  }
}
