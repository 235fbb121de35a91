package dev.vdisk.inspect.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MountedGuest} over two directory trees standing in for a root and a {@code /boot}
 * partition: mounts, the guest's absolute and relative symbolic links (merged-usr), links that
 * cross into a mount, {@code ..} after a link, and a bounded loop.
 */
class MountedGuestTest {
  @TempDir Path root;
  @TempDir Path boot;
  MountedGuest guest;

  @BeforeEach
  void tree() throws Exception {
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createDirectories(root.resolve("usr/lib"));
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("boot"));
    Files.writeString(root.resolve("usr/bin/dash"), "dash");
    Files.createSymbolicLink(root.resolve("usr/bin/sh"), Path.of("dash"));
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    Files.writeString(root.resolve("usr/lib/os-release"), "ID=x\n");
    Files.createSymbolicLink(root.resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
    Files.writeString(boot.resolve("vmlinuz-6.1"), "kernel");
    Files.createSymbolicLink(boot.resolve("vmlinuz"), Path.of("/boot/vmlinuz-6.1"));
    Files.createSymbolicLink(root.resolve("etc/kernel"), Path.of("/boot/vmlinuz"));
    Files.createSymbolicLink(root.resolve("etc/loop-a"), Path.of("loop-b"));
    Files.createSymbolicLink(root.resolve("etc/loop-b"), Path.of("/etc/loop-a"));
    guest = new MountedGuest(root);
    guest.mount("/boot", boot);
  }

  @Test
  void followsMergedUsrAndRelativeLinks() throws Exception {
    assertEquals("dash", Files.readString(guest.resolve("/bin/sh")));
    assertEquals(root.resolve("usr/bin/dash"), guest.resolve("/bin/sh"));
    assertEquals("ID=x\n", Files.readString(guest.resolve("/etc/os-release")));
    assertEquals(root.resolve("usr/lib"), guest.resolve("/bin/../lib"));
  }

  @Test
  void resolvesIntoMountsAndThroughLinksThatCrossThem() throws Exception {
    assertEquals("kernel", Files.readString(guest.resolve("/boot/vmlinuz-6.1")));
    assertEquals("kernel", Files.readString(guest.resolve("/etc/kernel")));
    assertFalse(Files.exists(root.resolve("boot/vmlinuz-6.1")));
    assertEquals(boot, guest.resolve("/boot"));
    assertEquals(root, guest.resolve("/"));
    assertEquals(root, guest.resolve("/.."));
  }

  @Test
  void missingPathsResolveAsWritten() {
    assertEquals(root.resolve("var/lib/dpkg/status"), guest.resolve("/var/lib/dpkg/status"));
    assertFalse(Files.exists(guest.resolve("/var/lib/dpkg/status")));
  }

  @Test
  void aLinkLoopIsAnError() {
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> guest.resolve("/etc/loop-a"));
    assertTrue(e.getCause() instanceof FileSystemLoopException);
  }
}
