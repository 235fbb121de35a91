package dev.vdisk.deb;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assertions;

/**
 * Debian bookworm's real {@code Packages} indexes (main, amd64; bookworm, -updates, -security),
 * fetched and verified (gpgv against debian-archive-keyring, SHA256 from InRelease) by {@code
 * testdata/scripts/fetch-bookworm-packages.sh} into a cache under /tmp.
 */
final class BookwormIndex {
  private BookwormIndex() {}

  /**
   * The decompressed index files, fetching them when not cached.
   *
   * @return the files
   */
  static List<Path> files() {
    Oracles.require("curl", "curl");
    Oracles.require("gpgv", "gpgv");
    Oracles.require("xz", "xz-utils");
    Oracles.requireFile(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"),
        "debian-archive-keyring");
    Oracles.Result r = Oracles.run("bash",
        ProjectPaths.script("fetch-bookworm-packages.sh").toString());
    if (r.exitCode() != 0) {
      Assertions.fail("fetching the bookworm index failed: " + r.describe());
    }
    Path dir = Path.of(r.stdout().strip());
    List<Path> out = new ArrayList<>();
    for (String suite : new String[] {"bookworm", "bookworm-updates", "bookworm-security"}) {
      out.add(dir.resolve(suite + ".Packages"));
    }
    return out;
  }

  /**
   * Streams the chosen fields of every paragraph (continuation lines joined with '\n'), one map
   * per paragraph, without holding the whole file.
   *
   * @param fields the field names wanted (exact case as Debian writes them)
   * @return the paragraphs' fields
   */
  static List<Map<String, String>> read(Set<String> fields) throws IOException {
    return read(fields, files(), p -> true);
  }

  /**
   * Streams the chosen fields of the paragraphs of some index files that a filter keeps.
   *
   * @param fields the field names wanted
   * @param files the index files
   * @param keep which paragraphs (by their chosen fields) to keep
   * @return the kept paragraphs' fields
   */
  static List<Map<String, String>> read(Set<String> fields, List<Path> files,
      java.util.function.Predicate<Map<String, String>> keep) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    for (Path file : files) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        Map<String, String> cur = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (name != null) {
              cur.put(name, value.toString());
              name = null;
            }
            if (!cur.isEmpty()) {
              if (keep.test(cur)) {
                out.add(cur);
              }
              cur = new LinkedHashMap<>();
            }
          } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
            if (name != null) {
              value.append('\n').append(line.substring(1));
            }
          } else {
            if (name != null) {
              cur.put(name, value.toString());
              name = null;
            }
            int colon = line.indexOf(':');
            String n = line.substring(0, colon);
            if (fields.contains(n)) {
              name = n;
              value = new StringBuilder(line.substring(colon + 1).strip());
            }
          }
        }
        if (name != null) {
          cur.put(name, value.toString());
        }
        if (!cur.isEmpty() && keep.test(cur)) {
          out.add(cur);
        }
      }
    }
    return out;
  }
}
