package dev.vdisk.trust.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.deb.ControlParagraph;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The package records of an apt {@code Packages} index, read as a stream one paragraph at a time
 * (so a 50 MB index is never held as one string), keeping only what trust needs: name, version,
 * architecture, {@code Filename}, {@code Size} and {@code SHA256}.
 */
public final class PackagesIndex {
  /** The largest paragraph accepted. */
  public static final int MAX_PARAGRAPH_BYTES = 1 << 20;
  /** The most records read from one index. */
  public static final int MAX_RECORDS = 2_000_000;

  /**
   * One package record.
   *
   * @param name {@code Package}
   * @param version {@code Version}
   * @param architecture {@code Architecture}
   * @param filename {@code Filename}, relative to the archive root
   * @param size {@code Size}
   * @param sha256 {@code SHA256}, lower-case hex
   */
  public record Record(String name, String version, String architecture, String filename,
      long size, String sha256) {}

  private final List<Record> records;
  private final Map<String, List<Record>> bySha = new HashMap<>();

  private PackagesIndex(List<Record> records) {
    this.records = List.copyOf(records);
    for (Record r : this.records) {
      bySha.computeIfAbsent(r.sha256(), k -> new ArrayList<>()).add(r);
    }
  }

  /**
   * Opens the decompressing stream for an index file by its name ({@code .gz}, {@code .xz} or
   * plain).
   *
   * @param raw the file's bytes
   * @param name the file name
   * @return the uncompressed stream
   * @throws IOException if the compressed header is bad
   */
  public static InputStream decompress(InputStream raw, String name) throws IOException {
    InputStream in = new BufferedInputStream(raw);
    if (name.endsWith(".gz")) {
      return new GZIPInputStream(in, 65536);
    }
    if (name.endsWith(".xz")) {
      return new XZInputStream(in, 128 * 1024); // KiB: xz -9 needs a 64 MiB dictionary
    }
    return in;
  }

  /**
   * Reads an uncompressed index.
   *
   * @param in the uncompressed stream (not closed)
   * @param source the file's name for messages
   * @return the index
   * @throws CorruptStructureException if a paragraph is malformed, too large, or a record lacks
   *     a valid Size or SHA256
   * @throws IOException on an I/O or decompression error
   */
  public static PackagesIndex read(InputStream in, String source) throws IOException {
    List<Record> out = new ArrayList<>();
    ByteArrayOutputStream para = new ByteArrayOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long offset = 0;
    long paraStart = 0;
    int b;
    boolean eof = false;
    while (!eof) {
      b = in.read();
      if (b < 0) {
        eof = true;
      } else {
        offset++;
        line.write(b);
        if (line.size() > MAX_PARAGRAPH_BYTES) {
          throw new CorruptStructureException(source, paraStart, "Packages paragraph",
              "longer than " + MAX_PARAGRAPH_BYTES + " bytes");
        }
        if (b != '\n') {
          continue;
        }
      }
      String l = line.toString(StandardCharsets.UTF_8);
      boolean blank = l.strip().isEmpty();
      if (!blank) {
        line.writeTo(para);
        if (para.size() > MAX_PARAGRAPH_BYTES) {
          throw new CorruptStructureException(source, paraStart, "Packages paragraph",
              "longer than " + MAX_PARAGRAPH_BYTES + " bytes");
        }
      }
      line.reset();
      if ((blank || eof) && para.size() > 0) {
        String text = para.toString(StandardCharsets.UTF_8);
        para.reset();
        for (ControlParagraph p : ControlParagraph.parseAll(text, source)) {
          out.add(record(p, source, paraStart));
          if (out.size() > MAX_RECORDS) {
            throw new CorruptStructureException(source, paraStart, "Packages index",
                "more than " + MAX_RECORDS + " records");
          }
        }
      }
      if (blank) {
        paraStart = offset;
      }
    }
    return new PackagesIndex(out);
  }

  private static Record record(ControlParagraph p, String source, long offset)
      throws CorruptStructureException {
    String name = p.get("Package");
    String size = p.get("Size");
    String sha = p.get("SHA256");
    if (name == null || name.isBlank() || size == null || sha == null) {
      throw new CorruptStructureException(source, offset, "Packages paragraph",
          "record " + (name == null || name.isBlank() ? "without Package" : name)
              + " lacks a Package, Size or SHA256 field");
    }
    if (!size.matches("[0-9]{1,18}") || !sha.matches("[0-9a-fA-F]{64}")) {
      throw new CorruptStructureException(source, offset, "Packages paragraph",
          "record " + name + " has a malformed Size or SHA256");
    }
    return new Record(name, p.get("Version", ""), p.get("Architecture", ""),
        p.get("Filename", ""), Long.parseLong(size), sha.toLowerCase(Locale.ROOT));
  }

  /**
   * The records in index order.
   *
   * @return the records
   */
  public List<Record> records() {
    return Collections.unmodifiableList(records);
  }

  /**
   * The records with a SHA-256.
   *
   * @param sha256 lower-case hex
   * @return the records (empty when none)
   */
  public List<Record> bySha256(String sha256) {
    return bySha.getOrDefault(sha256, List.of());
  }
}
