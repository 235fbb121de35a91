package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest path resolution. Property (seeded): on random trees of directories and relative links
 * that stay inside the root, {@link GuestFs#resolveAll} agrees with the host kernel's own
 * resolution ({@link Path#toRealPath}). Absolute links resolve against the guest root; link loops
 * end in a typed error.
 */
class GuestFsTest {
  @TempDir Path root;

  @Test
  void relativeLinksAgreeWithTheKernel() throws IOException {
    long seed = System.nanoTime();
    System.out.println("GuestFsTest seed " + seed);
    Random r = new Random(seed);
    List<String> dirs = new ArrayList<>(List.of(""));
    for (int i = 0; i < 30; i++) {
      String parent = dirs.get(r.nextInt(dirs.size()));
      String d = parent + "/d" + i;
      Files.createDirectory(root.resolve(d.substring(1)));
      dirs.add(d);
    }
    List<String> links = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String at = dirs.get(r.nextInt(dirs.size())) + "/l" + i;
      String target = dirs.get(1 + r.nextInt(dirs.size() - 1));
      // relative link text from the link's directory to the target
      Path from = root.resolve(at.substring(1)).getParent();
      Path rel = from.relativize(root.resolve(target.substring(1)));
      // a link to its own directory is "." (an empty link text is refused by the kernel)
      Files.createSymbolicLink(root.resolve(at.substring(1)),
          rel.toString().isEmpty() ? Path.of(".") : rel);
      links.add(at);
    }
    Path real = root.toRealPath();
    GuestFs fs = new GuestFs(root);
    for (int i = 0; i < 200; i++) {
      String base = r.nextBoolean() ? links.get(r.nextInt(links.size()))
          : dirs.get(1 + r.nextInt(dirs.size() - 1));
      String p = base + (r.nextBoolean() ? "" : "/x" + i);
      String expected;
      Path hostParent = root.resolve(p.substring(1)).getParent().toRealPath();
      Path host = Files.exists(root.resolve(p.substring(1)))
          ? root.resolve(p.substring(1)).toRealPath()
          : hostParent.resolve(root.resolve(p.substring(1)).getFileName());
      expected = "/" + real.relativize(host).toString();
      assertEquals(expected.equals("/") ? "/" : expected, fs.resolveAll(p), p + " seed " + seed);
    }
  }

  @Test
  void absoluteLinksStayInTheGuest() throws IOException {
    Files.createDirectories(root.resolve("usr/lib"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
    Files.createSymbolicLink(root.resolve("usr/lib/up"), Path.of("../../../../.."));
    GuestFs fs = new GuestFs(root);
    assertEquals("/usr/lib/x.so", fs.resolveParent("/lib/x.so"));
    assertEquals("/", fs.resolveAll("/lib/up"));
  }

  @Test
  void loopsAreTypedErrors() throws IOException {
    Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
    assertThrows(CorruptStructureException.class, () -> new GuestFs(root).resolveAll("/a/x"));
  }
}
