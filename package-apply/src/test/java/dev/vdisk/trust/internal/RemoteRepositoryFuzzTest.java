package dev.vdisk.trust.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Arbitrary text into what {@link RemoteRepository} reads from servers and indexes: the {@code
 * Content-Range} of a resumed download (parsed or refused, never an exception; a parsed range is
 * consistent) and file names turned into URLs (always a valid URL whose decoded path is the
 * name). The seeds in {@code RemoteRepositoryFuzzTestInputs/} run as a regression test in every
 * build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class RemoteRepositoryFuzzTest {
  private static final URI BASE = URI.create("http://127.0.0.1:8080/debian/");

  @FuzzTest(maxDuration = "1m")
  void contentRange(byte[] input) {
    String value = new String(input, StandardCharsets.ISO_8859_1);
    long[] r = RemoteRepository.parseContentRange(value);
    if (r != null) {
      assertEquals(3, r.length);
      assertTrue(r[0] >= 0 && r[0] <= r[1], Arrays.toString(r));
      assertTrue(r[2] == -1 || r[1] < r[2], Arrays.toString(r));
    }
  }

  @FuzzTest(maxDuration = "1m")
  void filenames(byte[] input) {
    String name = new String(input, StandardCharsets.UTF_8);
    String encoded = RemoteRepository.encodePath(name);
    // always a URL: the JDK's parser accepts it
    URI uri = BASE.resolve(encoded);
    assertEquals(BASE.getHost(), uri.getHost());
    // dot segments and empty ones (the JDK's normalization drops them) are not file names an
    // index can give (PackageFetcher refuses them)
    boolean plain = !name.isEmpty() && Arrays.stream(name.split("/", -1))
        .noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    if (plain && Arrays.equals(input, name.getBytes(StandardCharsets.UTF_8))) {
      // the server's decoding gives the name back
      assertEquals(BASE.getPath() + name, uri.getPath());
    }
  }
}
