package dev.vdisk.cli;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.registry.Hive;
import dev.vdisk.registry.RegExport;
import dev.vdisk.registry.RegistryKey;
import dev.vdisk.registry.RegistryValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.SeekableByteChannel;
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
      "Read Windows registry hives (regf): a hive file, or a hive inside a disk image",
      "with --hive PATH (for example /Windows/System32/config/SOFTWARE)."
    },
    subcommands = {RegCommand.Export.class, RegCommand.Get.class})
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
        return new OpenHive(Hive.open(source), null, null);
      }
      VdiskFileSystem fs = partition.open(source);
      try {
        Path file = ImageFiles.resolve(fs, hive);
        SeekableByteChannel ch = Files.newByteChannel(file);
        try {
          return new OpenHive(Hive.open(ch, source + ":" + hive), ch, fs);
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        fs.close();
        throw e;
      }
    }
  }

  /** A hive and what it was opened from. */
  record OpenHive(Hive hive, SeekableByteChannel channel, VdiskFileSystem fs)
      implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try (VdiskFileSystem f = fs; SeekableByteChannel c = channel; Hive h = hive) {
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
