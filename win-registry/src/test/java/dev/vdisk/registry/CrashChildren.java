package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.util.WriteSteps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the registry crash tests share: a child JVM that halts at the N-th write-path step
 * ({@link WriteSteps}), printing {@code commit K} before each commit, {@code halt STEP} when it
 * halts (exit 77) and {@code steps N} when it finishes; and the parent's side that runs it.
 */
final class CrashChildren {
  /** The exit code of a halted child. */
  static final int HALTED = 77;

  private CrashChildren() {}

  /** In the child: halts the JVM at write-path step {@code haltAt} (0 = never); counts steps. */
  static AtomicInteger haltAt(int haltAt) {
    AtomicInteger steps = new AtomicInteger();
    WriteSteps.setListener(step -> {
      if (steps.incrementAndGet() == haltAt) {
        System.out.println("halt " + step);
        System.out.flush();
        Runtime.getRuntime().halt(HALTED);
      }
    });
    return steps;
  }

  /** In the parent: {@code count} distinct random steps in [1, total]. */
  static TreeSet<Integer> points(long seed, int total, int count) {
    Random random = new Random(seed);
    TreeSet<Integer> points = new TreeSet<>();
    while (points.size() < count) {
      points.add(1 + random.nextInt(total));
    }
    return points;
  }

  /** The index of the last commit the child started, -1 for none. */
  static int lastCommit(List<String> lines) {
    int commit = -1;
    for (String l : lines) {
      if (l.startsWith("commit ")) {
        commit = Integer.parseInt(l.substring(7));
      }
    }
    return commit;
  }

  /**
   * Runs {@code main} in a child JVM with these arguments followed by {@code haltAt}; returns
   * its commit/halt/steps lines and checks its exit code (0 when {@code haltAt} is 0, else
   * halted).
   */
  static List<String> run(Class<?> main, int haltAt, String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        main.getName()));
    command.addAll(List.of(args));
    command.add(Integer.toString(haltAt));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    int code = p.waitFor();
    List<String> lines = new ArrayList<>();
    for (String l : new String(output, StandardCharsets.UTF_8).split("\n")) {
      if (l.startsWith("commit ") || l.startsWith("halt ") || l.startsWith("steps ")) {
        lines.add(l.strip());
      }
    }
    assertThat(code).as("child exit, output: " + new String(output, StandardCharsets.UTF_8))
        .isEqualTo(haltAt == 0 ? 0 : HALTED);
    return lines;
  }
}
