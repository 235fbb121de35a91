package dev.vdisk.inspect.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * os-release values with random shell quoting (double quotes with escapes, single quotes,
 * backslashes, concatenation) read as bash reads them when it sources the file: the oracle is
 * {@code bash -c '. FILE; printf ...'}. The seed is printed.
 */
class OsReleaseIT {
  private static final String ALPHABET = "aZ09 _-.:/()\"'\\$`#=!";
  @TempDir Path work;

  @RepeatedTest(5)
  void valuesAreWhatBashSees() throws Exception {
    Oracles.require("bash", "bash");
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("OsReleaseIT seed " + seed);
    Random rnd = new Random(seed);
    StringBuilder file = new StringBuilder();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String key = "K" + i;
      keys.add(key);
      file.append(key).append('=').append(word(rnd)).append('\n');
    }
    Path f = work.resolve("os-release");
    Files.writeString(f, file.toString(), StandardCharsets.UTF_8);
    StringBuilder script = new StringBuilder(". \"$1\"; ");
    for (String k : keys) {
      script.append("printf '%s\\0' \"$").append(k).append("\"; ");
    }
    String[] bash = Oracles.runOk("bash", "-c", script.toString(), "sh", f.toString())
        .split("\0", -1);
    Map<String, String> ours = OsRelease.parse(file.toString());
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(bash[i], ours.get(keys.get(i)), "seed " + seed + ", line: "
          + file.toString().split("\n")[i]);
    }
  }

  /** A shell word that assigns a value without running anything. */
  private static String word(Random rnd) {
    StringBuilder w = new StringBuilder();
    int parts = 1 + rnd.nextInt(3);
    for (int p = 0; p < parts; p++) {
      int len = rnd.nextInt(8);
      switch (rnd.nextInt(3)) {
        case 0: // double quotes: escape what must be escaped
          w.append('"');
          for (int i = 0; i < len; i++) {
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            if ("\"\\$`".indexOf(c) >= 0) {
              w.append('\\');
            }
            w.append(c);
          }
          if (rnd.nextBoolean()) {
            w.append("\\q"); // a backslash before an ordinary character stays
          }
          w.append('"');
          break;
        case 1: // single quotes: anything but a single quote
          w.append('\'');
          for (int i = 0; i < len; i++) {
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            w.append(c == '\'' ? 'x' : c);
          }
          w.append('\'');
          break;
        default: // unquoted: every special character escaped
          for (int i = 0; i < len; i++) {
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '-' && c != '.' && c != '/'
                && c != ':') {
              w.append('\\');
            }
            w.append(c);
          }
      }
    }
    return w.toString();
  }
}
