package dev.vdisk.cli;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.registry.Hive;
import dev.vdisk.registry.RegExport;
import dev.vdisk.registry.RegFile;
import dev.vdisk.registry.RegImport;
import dev.vdisk.registry.RegistryKey;
import dev.vdisk.registry.RegistryValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk reg}: Windows registry hives, as files or inside an image. */
@Command(
    name = "reg",
    mixinStandardHelpOptions = true,
    description = {
      "Read and change Windows registry hives (regf): a hive file, or (read only) a hive",
      "inside a disk image with --hive PATH (for example /Windows/System32/config/SOFTWARE)."
    },
    subcommands = {RegCommand.Export.class, RegCommand.Get.class, RegCommand.Import.class,
        RegCommand.Set.class, RegCommand.Delete.class, RegCommand.New.class})
final class RegCommand {
  @CommandLine.ParentCommand Main main;

  /** Where the hive is: SOURCE itself, or the file --hive names inside the image SOURCE. */
  static final class Source {
    @Parameters(index = "0", paramLabel = "SOURCE",
        description = "A hive file, or a disk image with --hive.")
    Path source;

    @Option(names = "--hive", paramLabel = "PATH",
        description = "The hive's path inside the image SOURCE.")
    String hive;

    @Mixin ImageFiles.PartitionOption partition;

    /** Opens the hive; the returned closer closes the hive and the image. */
    OpenHive open() throws IOException {
      if (hive == null) {
        if (!Files.exists(source)) {
          throw new NoSuchFileException(source.toString());
        }
        return new OpenHive(Hive.open(source), null);
      }
      VdiskFileSystem fs = partition.open(source);
      try {
        Path file = ImageFiles.resolve(fs, hive);
        // through the image's file system, so that the hive's .LOG1/.LOG2 beside it replay
        return new OpenHive(Hive.open(file, source + ":" + hive), fs);
      } catch (IOException | RuntimeException e) {
        fs.close();
        throw e;
      }
    }
  }

  /**
   * A hive to change: SOURCE itself. The --hive and --partition options exist as they do for
   * reading so that a hive inside an image is refused with a reason (exit 3) instead of a usage
   * error.
   */
  static final class WritableSource {
    @Parameters(index = "0", paramLabel = "SOURCE",
        description = "A hive file (a hive inside an image cannot be written yet).")
    Path source;

    @Option(names = "--hive", paramLabel = "PATH",
        description = "The hive's path inside the image SOURCE: refused for writing (exit 3).")
    String hive;

    @Mixin ImageFiles.PartitionOption partition;

    /** Refuses a hive inside an image; fails when the hive file is missing. */
    void check() throws IOException {
      if (hive != null) {
        throw new UnsafeToWriteException(source, UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE,
            "changing the hive " + hive + " inside an image needs NTFS write support, which "
                + "vdisk does not have yet (NTFS is read-only); copy the hive out with "
                + "'vdisk get', change the copy, and put it back with other tools");
      }
      if (!Files.exists(source)) {
        throw new NoSuchFileException(source.toString());
      }
    }

    /** Opens the hive file for writing. */
    Hive open() throws IOException {
      check();
      return Hive.openWritable(source);
    }
  }

  /** Prints a JSON summary when --json was given. */
  private static void summary(CommandLine.Model.CommandSpec spec, boolean json,
      Map<String, Object> fields) {
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(Json.write(fields));
      out.flush();
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {
        "Merge FILE.reg (regedit's text format, Windows Registry Editor Version 5.00 or",
        "REGEDIT4, UTF-16LE or UTF-8) into the hive SOURCE, as hivexregedit --merge does:",
        "[KEY] creates keys and missing parents, [-KEY] deletes a key with everything below",
        "it, \"name\"=- deletes a value. All changes are committed at once at the end; on an",
        "error nothing is changed."
      })
  static final class Import implements Callable<Integer> {
    @Mixin WritableSource source;

    @Parameters(index = "1", paramLabel = "FILE.reg", description = "The .reg file.")
    Path file;

    @Option(names = "--prefix", paramLabel = "P",
        description = "Remove P from the start of every key path (for example "
            + "'HKEY_LOCAL_MACHINE\\SOFTWARE'); a key outside P is an error.")
    String prefix;

    @Option(names = "--json", description = "Print a JSON summary.")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      source.check();
      RegFile parsed = RegFile.parse(file);
      RegImport.Counts c;
      try (Hive h = source.open()) {
        c = RegImport.apply(parsed, h, prefix);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hive", source.source.toString());
      m.put("file", file.toString());
      m.put("records", parsed.records().size());
      m.put("keysCreated", c.keysCreated());
      m.put("keysDeleted", c.keysDeleted());
      m.put("valuesSet", c.valuesSet());
      m.put("valuesDeleted", c.valuesDeleted());
      summary(spec, json, m);
      return ExitCode.OK;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {
        "Set the value NAME ('' for the default value) of KEY, creating KEY and its parents",
        "when missing (as reg add does). --data gives the value: a string for sz, expand_sz",
        "and link; one string per --data for multi_sz; a number (decimal or 0x hex) for",
        "dword, dword_be and qword; hex bytes (0a1b2c, 0a,1b,2c or 0a 1b 2c) for binary, none",
        "and a numeric type code."
      })
  static final class Set implements Callable<Integer> {
    @Mixin WritableSource source;

    @Parameters(index = "1", paramLabel = "KEY",
        description = "Backslash-separated key path below the root.")
    String key;

    @Parameters(index = "2", paramLabel = "NAME", description = "The value name ('' = default).")
    String name;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE",
        description = "sz, expand_sz, multi_sz, dword, dword_be, qword, binary, none, link, or "
            + "a type code (decimal or 0x hex).")
    String type;

    @Option(names = {"-d", "--data"}, paramLabel = "VALUE",
        description = "The data; repeat for multi_sz.")
    List<String> data = new ArrayList<>();

    @Option(names = "--json", description = "Print a JSON summary.")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      RegistryValue v = RegData.value(spec.commandLine(), name, type, data);
      source.check();
      boolean created;
      try (Hive h = source.open()) {
        created = h.key(key).isEmpty();
        if (created) {
          h.createKey(key);
        }
        h.setValue(key, v);
        h.commit();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hive", source.source.toString());
      m.put("key", key);
      m.put("name", name);
      m.put("type", v.valueType().name());
      m.put("typeCode", v.type());
      m.put("size", v.data().length);
      m.put("keyCreated", created);
      summary(spec, json, m);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {
        "Delete KEY with all its subkeys and values, or only its value NAME ('' for the",
        "default value)."
      })
  static final class Delete implements Callable<Integer> {
    @Mixin WritableSource source;

    @Parameters(index = "1", paramLabel = "KEY",
        description = "Backslash-separated key path below the root.")
    String key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "NAME", description = "A value name.")
    String name;

    @Option(names = "--missing-ok", description = "A missing key or value is not an error.")
    boolean missingOk;

    @Option(names = "--json", description = "Print a JSON summary.")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (name == null && key.replace("\\", "").isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "the root key of a hive cannot be deleted");
      }
      source.check();
      boolean deleted;
      try (Hive h = source.open()) {
        deleted = name == null ? h.deleteKey(key) : h.deleteValue(key, name);
        if (deleted) {
          h.commit();
        }
      }
      if (!deleted && !missingOk) {
        throw name == null
            ? new NoSuchFileException(key, null, "no such key in the hive")
            : new NoSuchFileException(key + "\\" + name, null, "no such value");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hive", source.source.toString());
      m.put("key", key);
      m.put("name", name);
      m.put("deleted", deleted);
      summary(spec, json, m);
      return ExitCode.OK;
    }
  }

  @Command(name = "new", mixinStandardHelpOptions = true,
      description = {
        "Create FILE as a new empty hive: a root key with a default security descriptor",
        "(owner Administrators, full control for SYSTEM and Administrators). An existing FILE",
        "is never overwritten."
      })
  static final class New implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The hive file to create.")
    Path file;

    @Option(names = "--root", paramLabel = "NAME",
        description = "The root key's name (default: ${DEFAULT-VALUE}).")
    String root = "ROOT";

    @Option(names = "--json", description = "Print a JSON summary.")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new java.nio.file.FileAlreadyExistsException(file.toString());
      }
      try (Hive h = Hive.create(file, root)) {
        h.commit();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hive", file.toString());
      m.put("root", root);
      m.put("size", Files.size(file));
      summary(spec, json, m);
      return ExitCode.OK;
    }
  }

  /** A hive and what it was opened from. */
  record OpenHive(Hive hive, VdiskFileSystem fs)
      implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try (VdiskFileSystem f = fs; Hive h = hive) {
        // closed in reverse order
      }
    }

    RegistryKey key(String path) throws IOException {
      return hive.key(path == null ? "" : path).orElseThrow(
          () -> new NoSuchFileException(path, null, "no such key in the hive"));
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {
        "Print KEY (default: the root) and everything below it as .reg text",
        "(Windows Registry Editor Version 5.00), the way hivexregedit --export does."
      })
  static final class Export implements Callable<Integer> {
    @Mixin Source source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY",
        description = "Backslash-separated key path below the root.")
    String key;

    @Option(names = "--prefix", paramLabel = "P",
        description = "Put P before every key path, as hivexregedit --prefix (for example "
            + "'HKEY_LOCAL_MACHINE\\SOFTWARE').")
    String prefix = "";

    @CommandLine.ParentCommand RegCommand reg;

    @Override
    public Integer call() throws Exception {
      // hivexregedit's exact bytes: each piece Latin-1 when it can be, else UTF-8
      java.io.OutputStream out = reg.main.rawOut();
      try (OpenHive h = source.open()) {
        RegExport.export(h.key(key), prefix, out);
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = {
        "Print the value NAME of KEY ('' for the default value), or all of KEY's values",
        "and subkeys when NAME is left out."
      })
  static final class Get implements Callable<Integer> {
    @Mixin Source source;

    @Parameters(index = "1", paramLabel = "KEY",
        description = "Backslash-separated key path below the root.")
    String key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "NAME", description = "A value name.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (OpenHive h = source.open()) {
        RegistryKey k = h.key(key);
        List<RegistryValue> values = new ArrayList<>();
        if (name != null) {
          values.add(k.value(name).orElseThrow(() -> new NoSuchFileException(
              key + "\\" + name, null, "no such value")));
        } else {
          values.addAll(k.values());
        }
        if (json) {
          Map<String, Object> map = new LinkedHashMap<>();
          map.put("key", k.path());
          map.put("lastWritten", k.lastWritten().toString());
          List<Map<String, Object>> vs = new ArrayList<>();
          for (RegistryValue v : values) {
            vs.add(describe(v));
          }
          map.put("values", vs);
          if (name == null) {
            List<String> subkeys = new ArrayList<>();
            for (RegistryKey s : k.subkeys()) {
              subkeys.add(s.name());
            }
            map.put("subkeys", subkeys);
          }
          out.println(Json.write(name == null ? map : vs.get(0)));
        } else if (name != null) {
          RegistryValue v = values.get(0);
          if (v.valueType() == dev.vdisk.registry.ValueType.MULTI_SZ) {
            // as hivexget prints it: each string on its own line, then an empty line
            for (String str : v.asStrings()) {
              out.println(str);
            }
            out.println();
          } else {
            out.println(text(v));
          }
        } else {
          for (RegistryValue v : values) {
            out.printf("%s\t%s\t%s%n", v.name().isEmpty() ? "(default)" : v.name(),
                v.valueType(), text(v));
          }
          for (RegistryKey s : k.subkeys()) {
            out.printf("%s\\%n", s.name());
          }
        }
      }
      out.flush();
      return ExitCode.OK;
    }

    private static Map<String, Object> describe(RegistryValue v) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", v.name());
      m.put("type", v.valueType().name());
      m.put("typeCode", v.type());
      switch (v.valueType()) {
        case SZ, EXPAND_SZ, LINK -> m.put("value", v.asString());
        case MULTI_SZ -> m.put("value", v.asStrings());
        case DWORD, DWORD_BIG_ENDIAN, QWORD -> {
          if (isNumber(v)) {
            m.put("value", v.asNumber());
          }
        }
        default -> {
          // raw bytes below
        }
      }
      m.put("hex", HexFormat.of().formatHex(v.data()));
      return m;
    }

    /** Whether a number type holds the bytes its type needs (a malformed one is shown as hex). */
    private static boolean isNumber(RegistryValue v) {
      int want = v.valueType() == dev.vdisk.registry.ValueType.QWORD ? 8 : 4;
      return v.data().length == want;
    }

    private static String text(RegistryValue v) {
      return switch (v.valueType()) {
        case SZ, EXPAND_SZ, LINK -> v.asString();
        case MULTI_SZ -> String.join("\n", v.asStrings());
        case DWORD, DWORD_BIG_ENDIAN, QWORD -> isNumber(v) ? Long.toString(v.asNumber())
            : "hex:" + HexFormat.of().formatHex(v.data());
        default -> HexFormat.of().formatHex(v.data());
      };
    }
  }
}
