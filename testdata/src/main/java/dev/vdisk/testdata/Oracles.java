package dev.vdisk.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Access to the real tools that serve as test oracles (qemu-img, sfdisk, e2fsck, ...).
 *
 * <p>Under {@code CI=true} a missing tool fails the test: CI installs every oracle, so a missing
 * one is a broken CI, never a reason to pass. Elsewhere the test is skipped (aborted) with a message
 * naming the Debian package to install.
 */
public final class Oracles {
  private Oracles() {}

  /**
   * Whether this run is CI ({@code CI=true} in the environment).
   *
   * @return {@code true} under CI
   */
  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Requires a tool on the PATH (or in /sbin and /usr/sbin): fails under CI, skips elsewhere.
   *
   * @param tool the command name
   * @param debianPackage the package that provides it, for the message
   * @return the tool's absolute path
   */
  public static Path require(String tool, String debianPackage) {
    Path found = find(tool);
    if (found == null) {
      String message = tool + " not found; install the Debian package " + debianPackage;
      if (isCi()) {
        Assertions.fail("CI=true but oracle tool missing: " + message);
      }
      Assumptions.abort(message);
    }
    return found;
  }

  /**
   * Requires a file a Debian package installs (a C header, a library): fails under CI, skips
   * elsewhere.
   *
   * @param file the file
   * @param debianPackage the package that provides it, for the message
   */
  public static void requireFile(Path file, String debianPackage) {
    if (!java.nio.file.Files.exists(file)) {
      String message = file + " missing; install the Debian package " + debianPackage;
      if (isCi()) {
        Assertions.fail("CI=true but oracle missing: " + message);
      }
      Assumptions.abort(message);
    }
  }

  /**
   * Requires a module of Debian's /usr/bin/python3 (the libyal bindings live only there): fails
   * under CI, skips elsewhere.
   *
   * @param module the module to import, such as {@code pyvmdk}
   * @param debianPackage the package that provides it, for the message
   */
  public static void requirePythonModule(String module, String debianPackage) {
    Result r = run("/usr/bin/python3", "-c", "import " + module);
    if (r.exitCode() != 0) {
      String message = "python3 module " + module + " missing; install the Debian package "
          + debianPackage;
      if (isCi()) {
        Assertions.fail("CI=true but oracle missing: " + message);
      }
      Assumptions.abort(message);
    }
  }

  /**
   * Requires that this process may do something only root can (loop devices, mounts): fails
   * under CI, skips elsewhere.
   *
   * @param why what needs it, for the message
   */
  public static void requireRoot(String why) {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root) {
      if (isCi()) {
        Assertions.fail("CI=true but not running as root, needed for " + why);
      }
      Assumptions.abort("not root; " + why + " needs root");
    }
  }

  /**
   * Finds a tool on the PATH, /usr/sbin or /sbin.
   *
   * @param tool the command name
   * @return its path, or {@code null}
   */
  public static Path find(String tool) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(Arrays.asList(path.split(":")));
    }
    dirs.add("/usr/sbin");
    dirs.add("/sbin");
    dirs.add("/usr/bin");
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Runs a command, waits for it (at most 10 minutes) and returns what it printed.
   *
   * @param command the command and its arguments
   * @return the result
   */
  public static Result run(String... command) {
    return run(null, Map.of(), command);
  }

  /**
   * Runs a command with standard input and extra environment.
   *
   * @param stdin bytes to send on standard input, or {@code null}
   * @param env extra environment variables
   * @param command the command and its arguments
   * @return the result
   */
  public static Result run(byte[] stdin, Map<String, String> env, String... command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().putIfAbsent("LC_ALL", "C.UTF-8");
    try {
      Process process = builder.start();
      CompletableFuture<byte[]> out = drain(process.getInputStream());
      CompletableFuture<byte[]> err = drain(process.getErrorStream());
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      }
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), out.join(), err.join(), String.join(" ", command));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs a command and fails the test unless it exits 0.
   *
   * @param command the command and its arguments
   * @return standard output as UTF-8
   */
  public static String runOk(String... command) {
    Result result = run(command);
    if (result.exitCode() != 0) {
      Assertions.fail(result.describe());
    }
    return result.stdout();
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * What a command did.
   *
   * @param exitCode its exit code
   * @param out its standard output
   * @param err its standard error
   * @param commandLine the command line, for messages
   */
  public record Result(int exitCode, byte[] out, byte[] err, String commandLine) {
    /**
     * Standard output as UTF-8.
     *
     * @return the text
     */
    public String stdout() {
      return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Standard error as UTF-8.
     *
     * @return the text
     */
    public String stderr() {
      return new String(err, StandardCharsets.UTF_8);
    }

    /**
     * A one-paragraph description for assertion messages.
     *
     * @return the description
     */
    public String describe() {
      return commandLine + " exited " + exitCode + "\nstdout: " + stdout() + "\nstderr: " + stderr();
    }
  }
}
