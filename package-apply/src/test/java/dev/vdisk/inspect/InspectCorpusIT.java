package dev.vdisk.inspect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.VdiskException;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Inspector#inspect} on every disk image of the corpus (MANIFEST.tsv kinds VMDK, VHD, raw
 * disk, qcow2, NTFS volume, and the compressed images up to 256 MiB, decompressed into a
 * temporary directory) and of {@code testdata/images}: each gives an inspection (roots, or none:
 * "no operating system found") or, for an image it cannot open at all, a typed
 * {@link VdiskException} with a message; never another exception. What each gives is printed.
 */
class InspectCorpusIT {
  private static final long MAX_DECOMPRESSED = 256L << 20;
  @TempDir Path work;

  static Stream<String> images() throws IOException {
    List<String> out = new ArrayList<>();
    Path corpus = ProjectPaths.corpus();
    if (Files.isDirectory(corpus)) {
      for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv"))) {
        String[] f = line.split("\t");
        if (f.length < 6) {
          continue;
        }
        String kind = f[5];
        boolean image = kind.startsWith("VMDK image") || kind.startsWith("VHD image")
            || kind.startsWith("raw disk image") || kind.startsWith("qcow2 image")
            || kind.startsWith("NTFS volume image")
            || kind.startsWith("compressed") && f[0].endsWith(".gz")
                && !f[0].endsWith("journal.gz") && !tooLarge(kind);
        if (image) {
          out.add("corpus:" + f[0]);
        }
      }
    } else {
      if (Oracles.isCi()) {
        org.junit.jupiter.api.Assertions.fail("CI=true but the corpus is missing: "
            + ProjectPaths.corpus());
      }
    }
    try (Stream<Path> s = Files.list(ProjectPaths.root().resolve("testdata/images"))) {
      s.filter(p -> !p.getFileName().toString().endsWith(".md")).sorted()
          .forEach(p -> out.add("testdata:" + p.getFileName()));
    }
    assertFalse(out.isEmpty());
    return out.stream();
  }

  private static boolean tooLarge(String kind) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("decompressed (\\d+) bytes")
        .matcher(kind);
    return m.find() && Long.parseLong(m.group(1)) > MAX_DECOMPRESSED;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void inspectsWithoutAnUnexpectedError(String name) throws Exception {
    Path image;
    if (name.startsWith("corpus:")) {
      image = ProjectPaths.corpus().resolve(name.substring(7));
      if (name.endsWith(".gz")) {
        image = gunzip(image);
      }
    } else {
      image = ProjectPaths.root().resolve("testdata/images").resolve(name.substring(9));
    }
    Inspection inspection;
    try {
      inspection = Inspector.inspect(image);
    } catch (VdiskException e) {
      assertNotNull(e.getMessage());
      System.out.printf("%s: cannot be opened: %s%n", name, e.getMessage());
      return;
    }
    if (inspection.roots().isEmpty()) {
      System.out.printf("%s: no operating system found%s%n", name,
          inspection.warnings().isEmpty() ? "" : " " + inspection.warnings());
    }
    for (GuestRoot r : inspection.roots()) {
      System.out.printf("%s: partition %d: %s %s %s, %d packages%n", name, r.partition(),
          r.os().family(), r.os().distribution(), r.os().product(), r.packages().size());
      assertTrue(r.os().family() != null);
    }
  }

  private Path gunzip(Path gz) throws IOException {
    String base = gz.getFileName().toString();
    Path out = work.resolve(base.substring(0, base.length() - 3));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16);
        OutputStream o = Files.newOutputStream(out)) {
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > MAX_DECOMPRESSED) {
          throw new IOException(gz + ": decompresses to more than " + MAX_DECOMPRESSED);
        }
        o.write(buf, 0, n);
      }
    }
    return out;
  }
}
