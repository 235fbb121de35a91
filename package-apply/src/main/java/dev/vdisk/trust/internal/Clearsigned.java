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
 * <p>As gpgv does, the text ends at the first line starting with five dashes (a text line
 * starting with a dash is always dash-escaped), whatever follows the dashes, and the signature
 * block ends at the next such line, or right after its armor checksum line ({@code =} and four
 * characters; the rest of that line is ignored); the block is rewritten with standard BEGIN and
 * END lines.
 *
 * @param hashes the algorithm names of the {@code Hash:} headers as written (empty when none)
 * @param signedData the canonical signed bytes
 * @param content the signed text as a reader should see it: lines without dash-escapes and
 *     without trailing blanks (which the signature does not cover), joined by LF, with a final LF
 * @param signatureBlock the armored signature block, from its BEGIN line to its END line (both
 *     written out in full, the lines between as found)
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
        String n = blankStrip(name); // case matters to gpgv
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
      if (t.startsWith("-----")) {
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
      // only what the signature covers: trailing blanks are not signed, so they are dropped
      content.append(new String(bytes, s, trimmed - s, StandardCharsets.UTF_8)).append('\n');
    }
    if (sigStart < 0) {
      throw new CorruptStructureException(source, bytes.length, "cleartext signed message",
          "no '" + BEGIN_SIGNATURE + "' line");
    }
    byte[] signedBytes = signed.toByteArray();
    for (int k = 0; k < signedBytes.length; k++) {
      if (signedBytes[k] == '\r' && (k + 1 == signedBytes.length || signedBytes[k + 1] != '\n')) {
        // gpg hashes a lone CR as it is; BouncyCastle's text mode would turn it into CR LF
        throw new CorruptStructureException(source, -1, "cleartext signed message",
            "a carriage return inside a line of the signed text");
      }
    }
    // the block ends at the next dashed line, or (as gpgv reads it) right after the armor
    // checksum: '=' and four radix-64 characters, whatever follows them on that line
    int end = -1;
    for (int j = sigStart + 1; j < lines.size(); j++) {
      String t = text(bytes, lines.get(j));
      if (t.startsWith("-----") || t.startsWith("=")) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      throw new CorruptStructureException(source, lines.get(sigStart)[0],
          "cleartext signed message", "signature block has no '" + END_SIGNATURE + "' line");
    }
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.writeBytes((BEGIN_SIGNATURE + "\n").getBytes(StandardCharsets.US_ASCII));
    // armor headers (up to the first empty line, if the block has any) pass unchanged; the
    // radix-64 data ends, as gpgv reads it, at its checksum line, at the dashed line, or at the
    // first character outside the alphabet (the rest of the block is then ignored)
    int j = sigStart + 1;
    int firstEmpty = -1;
    for (int k = j; k < end; k++) {
      if (lines.get(k)[1] == lines.get(k)[0]) {
        firstEmpty = k;
        break;
      }
    }
    if (firstEmpty < 0) {
      throw new CorruptStructureException(source, lines.get(sigStart)[0],
          "cleartext signed message", "signature block has no empty line after its headers");
    }
    for (; j < firstEmpty; j++) {
      int[] l = lines.get(j);
      String h = text(bytes, l);
      if (h.indexOf(": ") <= 0) {
        throw new CorruptStructureException(source, l[0], "cleartext signed message",
            "invalid armor header in the signature block " + quote(h));
      }
      block.write(bytes, l[0], l[1] - l[0]);
      block.write('\n');
    }
    block.write('\n');
    j = firstEmpty + 1;
    String checksum = null;
    boolean stopped = false;
    boolean padded = false;
    String sameLineChecksum = null;
    boolean sawPadding = false;
    StringBuilder data = new StringBuilder();
    for (; j < end && !stopped; j++) {
      int[] l = lines.get(j);
      int lineEnd = l[1];
      while (lineEnd > l[0] && (bytes[lineEnd - 1] == ' ' || bytes[lineEnd - 1] == '\t')) {
        lineEnd--;
      }
      for (int k = l[0]; k < lineEnd; k++) {
        int c = bytes[k] & 0xff;
        if (radix64(c)) {
          data.append((char) c);
        } else if (c == ' ' || c == '\t' || c == '\r') {
          continue;
        } else {
          // '=' is padding: the data ends there; any other character ends it too
          padded = c == '=';
          sawPadding = padded;
          stopped = true;
          if (padded) {
            int r = k;
            while (r < lineEnd && bytes[r] == '=') {
              r++;
            }
            if (r < lineEnd && radix64(bytes[r] & 0xff)) {
              // radix-64 after the padding on the same line: gpgv reads it as the checksum
              String rest = new String(bytes, r, lineEnd - r, StandardCharsets.ISO_8859_1);
              sameLineChecksum = "=" + rest.substring(0, Math.min(4, rest.length()));
            } else if (r < lineEnd) {
              padded = false; // anything else ends the armor without a checksum
            }
          }
          break;
        }
      }
    }
    if (stopped && !sawPadding && data.length() % 4 != 0) {
      throw new CorruptStructureException(source, -1, "cleartext signed message",
          "radix-64 data ends without its padding");
    }
    if (data.length() % 4 == 1) {
      data.setLength(data.length() - 1);
    }
    while (data.length() % 4 != 0) {
      data.append('=');
    }
    for (int k = 0; k < data.length(); k += 64) {
      block.writeBytes(data.substring(k, Math.min(data.length(), k + 64))
          .getBytes(StandardCharsets.US_ASCII));
      block.write('\n');
    }
    // a checksum line follows the data (a line of its own, its second character radix-64);
    // when its characters are damaged it is kept, so the armor reader refuses it as gpgv does
    int crcLine = -1;
    if (!stopped) {
      crcLine = end;
    } else if (padded) {
      crcLine = j;
    }
    if (sameLineChecksum != null) {
      checksum = sameLineChecksum;
    } else if (crcLine >= 0 && crcLine < lines.size()) {
      String t = text(bytes, lines.get(crcLine));
      if (t.startsWith("=")) {
        String crc = t.replaceFirst("^=+", "");
        if (crc.isEmpty() && crcLine + 1 < lines.size()) {
          // a line of '=' only: gpgv reads the checksum on from the next line
          crc = text(bytes, lines.get(crcLine + 1));
          crcLine++;
        }
        if (!crc.isEmpty() && radix64(crc.charAt(0))) {
          // kept even when damaged, so the armor reader refuses it as gpgv does
          checksum = "=" + crc.substring(0, Math.min(4, crc.length()));
          // what follows the checksum line is ignored unless it starts like a binary OpenPGP
          // packet that gpgv goes on to read and fails on. Found by trying every byte value
          // there (InReleaseTamperIT): an old-format header of tag 1-14 with a definite length
          // or of tag 8, 9 or 11 (compressed, encrypted, literal data) with an indefinite one,
          // or a new-format header of tag 1-14, 16-19, 61 or 63
          if (crcLine + 1 < lines.size()) {
            int[] next = lines.get(crcLine + 1);
            int b0 = next[1] > next[0] ? bytes[next[0]] & 0xff : 0;
            boolean newFormat = (b0 & 0x40) != 0;
            int tag = newFormat ? b0 & 0x3f : (b0 >> 2) & 0x0f;
            boolean packet = newFormat
                ? (tag >= 1 && tag <= 19 && tag != 15) || tag == 61 || tag == 63
                : (b0 & 0x03) != 3 ? tag >= 1 && tag <= 14 : tag == 8 || tag == 9 || tag == 11;
            if ((b0 & 0x80) != 0 && packet) {
              throw new CorruptStructureException(source, next[0],
                  "cleartext signed message", "binary data after the armor checksum");
            }
          }
        }
      } else if (padded && !t.isEmpty() && radix64(t.charAt(0))) {
        throw new CorruptStructureException(source, lines.get(crcLine)[0],
            "cleartext signed message", "radix-64 data after the armor padding");
      }
    }
    if (checksum != null) {
      block.writeBytes((checksum + "\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    block.writeBytes((END_SIGNATURE + "\n").getBytes(StandardCharsets.US_ASCII));
    return new Clearsigned(List.copyOf(hashes), signedBytes, content.toString(),
        block.toByteArray());
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

  private static boolean radix64(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '+' || c == '/';
  }

  private static String blankStrip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
      a++;
    }
    while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
      b--;
    }
    return s.substring(a, b);
  }

  private static String quote(String s) {
    return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
  }
}
