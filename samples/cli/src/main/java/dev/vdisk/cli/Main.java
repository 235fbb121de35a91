package dev.vdisk.cli;

import ch.qos.logback.classic.Level;
import dev.vdisk.core.TrustException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VdiskException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Properties;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code vdisk} command. */
@Command(
    name = "vdisk",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Offline servicing of virtual disks: inspect, convert and change disk images "
        + "without booting them.",
    subcommands = {
      InfoCommand.class,
      CheckCommand.class,
      ConvertCommand.class,
      SnapshotCommand.class,
      CommitCommand.class,
      DiscardCommand.class,
      LsCommand.class,
      CatCommand.class,
      StatCommand.class,
      GetCommand.class,
      PutCommand.class,
      MkdirCommand.class,
      RmCommand.class,
      MvCommand.class,
      LnCommand.class,
      ChmodCommand.class,
      ChownCommand.class,
      TouchCommand.class,
      RegCommand.class,
      InspectCommand.class,
      VerifyCommand.class,
      ApplyCommand.class,
      ScanCommand.class,
      RemediateCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  usage error",
      "  2  corrupt, unsupported or unreadable input",
      "  3  refused as unsafe or untrusted (remediate: an image failed)",
      "  4  not compliant (scan, remediate)",
      "  5  internal error"
    })
public final class Main implements Runnable {

  @Option(
      names = "--debug",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log debug details and print stack traces on errors.")
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Standard output as bytes, for commands that print file contents ({@code cat}). */
  private PrintStream rawOut = System.out;

  PrintStream rawOut() {
    return rawOut;
  }

  /**
   * Entry point.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /**
   * Runs the command with the given output streams; used by {@link #main} and by tests.
   *
   * @param out standard output
   * @param err standard error
   * @param args the command line
   * @return the exit code
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    Main main = new Main();
    main.rawOut = out;
    CommandLine cli = new CommandLine(main);
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setExecutionStrategy(
        parseResult -> {
          if (main.debug || parseResult.subcommands().stream()
              .anyMatch(p -> p.hasMatchedOption("--debug"))) {
            main.debug = true;
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
          commandLine.getErr().println("vdisk: " + message(cause));
          if (main.debug) {
            cause.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return exitCode(cause);
        });
    cli.setParameterExceptionHandler(
        (ex, args1) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("vdisk: " + ex.getMessage());
          c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
          c.getErr().flush();
          return ExitCode.USAGE;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /**
   * The exit code for an exception, as documented in the README.
   *
   * @param t the failure
   * @return the exit code
   */
  static int exitCode(Throwable t) {
    if (t instanceof UnsafeToWriteException || t instanceof TrustException
        || t instanceof ReadOnlyFileSystemException
        || t instanceof dev.vdisk.apply.DependencyException) {
      return ExitCode.REFUSED;
    }
    // Corrupt or unsupported structures, truncated images, missing or unreadable files: the
    // input is at fault, not vdisk.
    if (t instanceof IOException) {
      return ExitCode.BAD_INPUT;
    }
    return ExitCode.INTERNAL;
  }

  private static String message(Throwable t) {
    if (t instanceof NoSuchFileException e) {
      return e.getFile() + ": no such file"
          + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
    }
    if (t instanceof AccessDeniedException e) {
      return e.getFile() + ": permission denied"
          + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
    }
    if (t instanceof FileAlreadyExistsException e) {
      return e.getFile() + ": file exists";
    }
    if (t instanceof DirectoryNotEmptyException e) {
      return e.getFile() + ": directory not empty";
    }
    if (t instanceof NotDirectoryException e) {
      return e.getFile() + ": not a directory";
    }
    if (t instanceof ReadOnlyFileSystemException) {
      return "refusing to write: the file system is read-only";
    }
    if (t instanceof EOFException) {
      return "unexpected end of data: " + t.getMessage();
    }
    if (t instanceof VdiskException || t instanceof IOException) {
      return t.getMessage() != null ? t.getMessage() : t.toString();
    }
    return "internal error: " + t + " (run with --debug for details; please report it)";
  }

  /** Reads the version from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {
        "vdisk " + properties.getProperty("version", "unknown"),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
