package dev.vdisk.testdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Crash tests for format drivers: a child JVM (started with the test class path) opens an image
 * read-write and performs a seeded sequence of writes; the driver reports each completed
 * write-path step through a listener (vdisk-core's {@code WriteSteps}), and right after step
 * number {@code haltAt} the child stops dead, either by halting the JVM itself or by waiting to be
 * killed with SIGKILL by the test. The test then checks that the image holds, for every block,
 * the content from before or after the interrupted write ({@link #models}).
 *
 * <p>The child protocol, on standard output: {@code write N} before each write, {@code closing}
 * before close, {@code halt STEP} at the halt point, {@code steps N} when it finished without
 * halting. Its arguments: image, seed, write count, halt step (0 for never).
 */
public final class CrashHarness {
  private CrashHarness() {}

  /**
   * One planned write.
   *
   * @param offset where
   * @param data what
   */
  public record Write(long offset, byte[] data) {}

  /** How the child stops at the halt point. */
  public enum Halt {
    /** {@code Runtime.halt(77)} right away: no shutdown hooks, no close. */
    EXIT,
    /** Sleeps until the test kills it with SIGKILL (exit code 78 if it is never killed). */
    WAIT_FOR_KILL
  }

  /** The disk the child writes to. */
  public interface Target extends AutoCloseable {
    /**
     * The virtual size.
     *
     * @return bytes
     */
    long size();

    /**
     * Writes at a virtual offset.
     *
     * @param offset where
     * @param data what
     * @throws IOException on an I/O error
     */
    void write(long offset, ByteBuffer data) throws IOException;
  }

  /** Opens the image read-write in the child. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens it.
     *
     * @param image the image
     * @return the open disk
     * @throws Exception on failure
     */
    Target open(Path image) throws Exception;
  }

  /**
   * The seeded write sequence, the same in the child and in the test: {@code count} writes at
   * random offsets; one in {@code smallOneIn} is at most 3000 bytes long, the others at most
   * {@code largeMax}.
   *
   * @param seed the seed
   * @param size the disk's size
   * @param count how many writes
   * @param smallOneIn how often a write is small
   * @param largeMax the largest write
   * @return the writes, in order
   */
  public static List<Write> plan(long seed, long size, int count, int smallOneIn, int largeMax) {
    Random random = new Random(seed);
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextInt(smallOneIn) == 0 ? 3000 : largeMax);
      long offset = (long) (random.nextDouble() * (size - length));
      byte[] data = new byte[length];
      random.nextBytes(data);
      writes.add(new Write(offset, data));
    }
    return writes;
  }

  /**
   * The expected disk content after 0, 1, ... all writes of a plan.
   *
   * @param initial the content before the first write
   * @param plan the writes
   * @return {@code plan.size() + 1} contents
   */
  public static List<byte[]> models(byte[] initial, List<Write> plan) {
    List<byte[]> models = new ArrayList<>();
    models.add(initial.clone());
    byte[] model = initial.clone();
    for (Write w : plan) {
      System.arraycopy(w.data(), 0, model, (int) w.offset(), w.data().length);
      models.add(model.clone());
    }
    return models;
  }

  /**
   * The steps to halt at: the first, the last, and random others up to {@code points} in all.
   *
   * @param seed the seed
   * @param total how many steps a full run has
   * @param points how many halt points at most
   * @return the steps, 1-based, ascending
   */
  public static TreeSet<Integer> haltPoints(long seed, int total, int points) {
    TreeSet<Integer> halts = new TreeSet<>();
    Random random = new Random(seed);
    halts.add(1);
    halts.add(total);
    while (halts.size() < Math.min(points, total)) {
      halts.add(1 + random.nextInt(total));
    }
    return halts;
  }

  /**
   * What a child printed and how it ended.
   *
   * @param exitCode its exit code
   * @param lines its output lines
   */
  public record Run(int exitCode, List<String> lines) {
    /**
     * The write that was in progress at the halt.
     *
     * @param writes how many writes the plan has ({@code closing} counts as that many)
     * @return its number, -1 before the first
     */
    public int lastWrite(int writes) {
      int last = -1;
      for (String l : lines) {
        if (l.startsWith("write ")) {
          last = Integer.parseInt(l.substring(6).trim());
        } else if (l.equals("closing")) {
          last = writes;
        }
      }
      return last;
    }

    /**
     * The step the child halted after.
     *
     * @return its name, or {@code null} when it did not halt
     */
    public String haltStep() {
      return lines.stream().filter(l -> l.startsWith("halt ")).map(l -> l.substring(5))
          .findFirst().orElse(null);
    }

    /**
     * The number of steps a full run reported.
     *
     * @return the count
     */
    public int steps() {
      return Integer.parseInt(lines.stream().filter(l -> l.startsWith("steps "))
          .findFirst().orElseThrow().substring(6).trim());
    }
  }

  /**
   * Runs a child JVM with the test class path; when {@code killOnHalt}, kills it with SIGKILL as
   * soon as it reports the halt step, else waits for it to end.
   *
   * @param child the child's main class
   * @param killOnHalt whether to kill it at {@code halt}
   * @param image the image
   * @param seed the plan's seed
   * @param writes how many writes
   * @param haltAt the step to halt after, 0 for none
   * @return its output and exit code
   * @throws IOException when it cannot start
   * @throws InterruptedException when interrupted
   */
  public static Run run(Class<?> child, boolean killOnHalt, Path image, long seed, int writes,
      int haltAt) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", child.getName(),
        image.toString(), Long.toString(seed), Integer.toString(writes),
        Integer.toString(haltAt)).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (killOnHalt && line.startsWith("halt ")) {
          p.destroyForcibly(); // SIGKILL
          break;
        }
      }
    }
    return new Run(p.waitFor(), lines);
  }

  /**
   * Copies {@code template} to {@code image} and runs the child there without halting; fails
   * unless it ends normally.
   *
   * @param child the child's main class
   * @param image the image to write (replaced by the template)
   * @param template the image's initial state
   * @param seed the plan's seed
   * @param writes how many writes
   * @return the number of write-path steps a full run has
   * @throws IOException when it cannot copy or start
   * @throws InterruptedException when interrupted
   */
  public static int countSteps(Class<?> child, Path template, Path image, long seed, int writes)
      throws IOException, InterruptedException {
    Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
    Run full = run(child, false, image, seed, writes, 0);
    if (full.exitCode() != 0) {
      throw new AssertionError(String.join("\n", full.lines()));
    }
    int total = full.steps();
    System.out.println(total + " write-path steps");
    return total;
  }

  /**
   * The first block of {@code actual} that equals neither {@code before} nor {@code after} (a
   * torn write), or -1.
   *
   * @param actual what the image holds
   * @param before the content before the interrupted write
   * @param after the content after it
   * @param blockSize the unit that must be all old or all new
   * @return the block's index, or -1
   */
  public static int tornBlock(byte[] actual, byte[] before, byte[] after, int blockSize) {
    for (int b = 0; (long) b * blockSize < actual.length; b++) {
      int from = b * blockSize;
      int to = Math.min(actual.length, from + blockSize);
      if (!Arrays.equals(actual, from, to, before, from, to)
          && !Arrays.equals(actual, from, to, after, from, to)) {
        return b;
      }
    }
    return -1;
  }

  /**
   * The child's main: parses the arguments, installs the step listener, opens the image and runs
   * the plan, printing the protocol lines.
   *
   * @param args image, seed, write count, halt step (0 for never)
   * @param installListener installs a step listener for this JVM (such as {@code l ->
   *     WriteSteps.setListener(l::accept)})
   * @param halt how to stop at the halt step
   * @param opener opens the image read-write
   * @param plan the plan for a seed, disk size and write count
   * @throws Exception on failure
   */
  public static void child(String[] args, Consumer<Consumer<String>> installListener, Halt halt,
      Opener opener, PlanMaker plan) throws Exception {
    Path image = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    int haltAt = Integer.parseInt(args[3]);
    int[] steps = {0};
    installListener.accept(step -> {
      steps[0]++;
      if (steps[0] == haltAt) {
        System.out.println("halt " + step);
        System.out.flush();
        if (halt == Halt.WAIT_FOR_KILL) {
          try {
            Thread.sleep(600_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          Runtime.getRuntime().halt(78);
        }
        Runtime.getRuntime().halt(77);
      }
    });
    try (Target disk = opener.open(image)) {
      List<Write> writes = plan.plan(seed, disk.size(), count);
      for (int i = 0; i < writes.size(); i++) {
        System.out.println("write " + i);
        System.out.flush();
        disk.write(writes.get(i).offset(), ByteBuffer.wrap(writes.get(i).data()));
      }
      System.out.println("closing");
      System.out.flush();
    }
    System.out.println("steps " + steps[0]);
  }

  /** Makes a write plan (see {@link #plan(long, long, int, int, int)}). */
  @FunctionalInterface
  public interface PlanMaker {
    /**
     * Makes it.
     *
     * @param seed the seed
     * @param size the disk's size
     * @param count how many writes
     * @return the writes
     */
    List<Write> plan(long seed, long size, int count);
  }

  /**
   * Adapts an open disk to a {@link Target}.
   *
   * @param size its size
   * @param writer its write method
   * @param closer its close method
   * @return the target
   */
  public static Target target(long size, Writer writer, AutoCloseable closer) {
    return new Target() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void write(long offset, ByteBuffer data) throws IOException {
        writer.write(offset, data);
      }

      @Override
      public void close() throws Exception {
        closer.close();
      }
    };
  }

  /** A disk's write method. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes.
     *
     * @param offset where
     * @param data what
     * @throws IOException on an I/O error
     */
    void write(long offset, ByteBuffer data) throws IOException;
  }
}
