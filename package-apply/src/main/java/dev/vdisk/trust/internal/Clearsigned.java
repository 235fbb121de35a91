package dev.vdisk.trust.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A cleartext-signed message (OpenPGP, RFC 4880 section 7 / RFC 9580 section 7), as an apt
 * {@code InRelease} is: the {@code -----BEGIN PGP SIGNED MESSAGE-----} line, {@code Hash:} armor
 * headers, an empty line, the dash-escaped text, then the armored signature block.
 *
 * <p>The signed data is the text with dash-escapes ({@code "- "} at a line's start) removed, the
 * trailing spaces and tabs of every line removed, lines joined by CR LF, and without the line
 * break before the signature block. Text before the message and after the signature block is
 * ignored, as gpgv ignores it; it is never part of {@link #content()}.
 *
 * @param hashes the algorithm names of the {@code Hash:} headers, upper case (empty when none)
 * @param signedData the canonical signed bytes
 * @param content the text as a reader sees it: lines without dash-escapes joined by LF, with a
 *     final LF
 * @param signatureBlock the armored signature block, from its BEGIN line to its END line
 */
public record Clearsigned(List<String> hashes, byte[] signedData, String content,
    byte[] signatureBlock) {

  /** The largest cleartext-signed file read (Debian's InRelease is about 150 KiB). */
  public static final int MAX_BYTES = 64 << 20;

  private static final String BEGIN_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
  private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
  private static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";

  /**
   * Whether bytes look like a cleartext-signed message (the BEGIN line is present).
   *
   * @param bytes the bytes
   * @return whether
   */
  public static boolean looksClearsigned(byte[] bytes) {
    return new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1)
        .contains(BEGIN_MESSAGE);
  }

  /**
   * Splits a cleartext-signed message.
   *
   * @param bytes the file's bytes
   * @param source the file's name for messages
   * @return the parts
   * @throws CorruptStructureException if there is no signed message, a header is not a {@code
   *     Hash:} header, or the signature block is missing or unterminated (offsets are byte
   *     offsets)
   */
  public static Clearsigned parse(byte[] bytes, String source) throws CorruptStructureException {
    if (bytes.length > MAX_BYTES) {
      throw new CorruptStructureException(source, 0, "cleartext signed message",
          "larger than " + MAX_BYTES + " bytes");
    }
    List<int[]> lines = lines(bytes);
    int i = 0;
    while (i < lines.size() && !text(bytes, lines.get(i)).equals(BEGIN_MESSAGE)) {
      i++;
    }
    if (i == lines.size()) {
      throw new CorruptStructureException(source, 0, "cleartext signed message",
          "no '" + BEGIN_MESSAGE + "' line: not signed");
    }
    i++;
    List<String> hashes = new ArrayList<>();
    for (;; i++) {
      if (i == lines.size()) {
        throw new CorruptStructureException(source, bytes.length, "cleartext signed message",
            "armor headers are not ended by an empty line");
      }
      String h = text(bytes, lines.get(i));
      if (h.isEmpty()) {
        i++;
        break;
      }
      if (!h.startsWith("Hash: ")) {
        throw new CorruptStructureException(source, lines.get(i)[0], "cleartext signed message",
            "invalid armor header " + quote(h));
      }
      for (String name : h.substring(6).split(",")) {
        String n = name.strip().toUpperCase(java.util.Locale.ROOT);
        if (n.isEmpty()) {
          throw new CorruptStructureException(source, lines.get(i)[0],
              "cleartext signed message", "empty name in armor header " + quote(h));
        }
        hashes.add(n);
      }
    }
    ByteArrayOutputStream signed = new ByteArrayOutputStream(bytes.length);
    StringBuilder content = new StringBuilder(bytes.length);
    boolean first = true;
    int sigStart = -1;
    for (; i < lines.size(); i++) {
      int[] l = lines.get(i);
      String t = text(bytes, l);
      if (t.equals(BEGIN_SIGNATURE)) {
        sigStart = i;
        break;
      }
      int s = l[0];
      int e = l[1];
      if (e - s >= 2 && bytes[s] == '-' && bytes[s + 1] == ' ') {
        s += 2;
      }
      int trimmed = e;
      while (trimmed > s && (bytes[trimmed - 1] == ' ' || bytes[trimmed - 1] == '\t')) {
        trimmed--;
      }
      if (!first) {
        signed.write('\r');
        signed.write('\n');
      }
      first = false;
      signed.write(bytes, s, trimmed - s);
      content.append(new String(bytes, s, e - s, StandardCharsets.UTF_8)).append('\n');
    }
    if (sigStart < 0) {
      throw new CorruptStructureException(source, bytes.length, "cleartext signed message",
          "no '" + BEGIN_SIGNATURE + "' line");
    }
    int end = -1;
    for (int j = sigStart + 1; j < lines.size(); j++) {
      if (text(bytes, lines.get(j)).equals(END_SIGNATURE)) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      throw new CorruptStructureException(source, lines.get(sigStart)[0],
          "cleartext signed message", "signature block has no '" + END_SIGNATURE + "' line");
    }
    int from = lines.get(sigStart)[0];
    int to = lines.get(end)[2];
    byte[] block = java.util.Arrays.copyOfRange(bytes, from, to);
    return new Clearsigned(List.copyOf(hashes), signed.toByteArray(), content.toString(), block);
  }

  /** Lines as {start, end of text (before CR LF / LF), end including the break}. */
  private static List<int[]> lines(byte[] b) {
    List<int[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < b.length) {
      int nl = pos;
      while (nl < b.length && b[nl] != '\n') {
        nl++;
      }
      int textEnd = nl;
      if (textEnd > pos && b[textEnd - 1] == '\r') {
        textEnd--;
      }
      int next = nl < b.length ? nl + 1 : nl;
      out.add(new int[] {pos, textEnd, next});
      pos = next;
    }
    return out;
  }

  /** A line's text with trailing blanks removed (for matching armor lines). */
  private static String text(byte[] b, int[] l) {
    int e = l[1];
    while (e > l[0] && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
      e--;
    }
    return new String(b, l[0], e - l[0], StandardCharsets.ISO_8859_1);
  }

  private static String quote(String s) {
    return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
  }
}
