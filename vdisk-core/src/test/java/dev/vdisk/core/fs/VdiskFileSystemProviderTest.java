package dev.vdisk.core.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VdiskFileSystemProviderTest {
  private VdiskFileSystem fs;

  @BeforeEach
  void open() throws IOException {
    fs = MemoryFileSystemDriver.openTestFileSystem();
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  @Test
  void readsFilesThroughFilesApi() throws IOException {
    assertThat(Files.readString(fs.getPath("/etc/os-release"))).isEqualTo("ID=test\nVERSION_ID=1\n");
    assertThat(Files.readString(fs.getPath("etc", "os-release"))).startsWith("ID=test");
    byte[] big = Files.readAllBytes(fs.getPath("/big.bin"));
    assertThat(big).hasSize(100_000);
    assertThat(big[99_999]).isEqualTo((byte) (99_999 * 31 + 7));
    assertThat(fs.identity().type()).isEqualTo("memfs");
    assertThat(fs.partition()).isEmpty();
    assertThat(fs.provider().getScheme()).isEqualTo("vdisk");
  }

  @Test
  void seeksInAChannel() throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/big.bin"))) {
      assertThat(ch.size()).isEqualTo(100_000);
      ch.position(50_000);
      ByteBuffer b = ByteBuffer.allocate(10);
      assertThat(ch.read(b)).isEqualTo(10);
      assertThat(b.get(0)).isEqualTo((byte) (50_000 * 31 + 7));
      assertThat(ch.position()).isEqualTo(50_010);
      ch.position(100_000);
      assertThat(ch.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }
  }

  @Test
  void followsRelativeAndAbsoluteLinksAndStopsLoops() throws IOException {
    assertThat(Files.readString(fs.getPath("/rel-link"))).startsWith("ID=test");
    assertThat(Files.readString(fs.getPath("/abs-link/os-release"))).startsWith("ID=test");
    assertThat(Files.readSymbolicLink(fs.getPath("/abs-link")).toString()).isEqualTo("/etc");
    assertThat(Files.isSymbolicLink(fs.getPath("/rel-link"))).isTrue();
    assertThat(Files.isRegularFile(fs.getPath("/rel-link"))).isTrue();
    assertThat(fs.getPath("/abs-link/empty.d").toRealPath().toString()).isEqualTo("/etc/empty.d");
    assertThatThrownBy(() -> Files.readString(fs.getPath("/loop")))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("symbolic links");
    assertThatThrownBy(() -> Files.readString(fs.getPath("/nope")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Files.exists(fs.getPath("/etc/../big.bin"))).isTrue();
  }

  @Test
  void walksTheTree() throws IOException {
    try (Stream<Path> walk = Files.walk(fs.getPath("/"))) {
      List<String> all = walk.map(Path::toString).sorted().collect(Collectors.toList());
      assertThat(all).containsExactly("/", "/abs-link", "/big.bin", "/etc", "/etc/empty.d",
          "/etc/os-release", "/grüße ✓.txt", "/hard.bin", "/loop", "/rel-link");
    }
    try (Stream<Path> glob = Files.list(fs.getPath("/"))) {
      assertThat(glob.filter(fs.getPathMatcher("glob:/*.{bin,txt}")::matches).count())
          .isEqualTo(3);
    }
  }

  @Test
  void readsPosixAndUnixAttributes() throws IOException {
    Path big = fs.getPath("/big.bin");
    PosixFileAttributes a = Files.readAttributes(big, PosixFileAttributes.class);
    assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rwxr-xr-x");
    assertThat(a.owner().getName()).isEqualTo("1000");
    assertThat(a.group().getName()).isEqualTo("100");
    assertThat(a.lastModifiedTime().toInstant().getNano()).isEqualTo(123456789);
    Map<String, Object> unix = Files.readAttributes(big, "unix:*");
    assertThat(unix.get("mode")).isEqualTo(0104755);
    assertThat(unix.get("nlink")).isEqualTo(2);
    assertThat(unix.get("uid")).isEqualTo(1000);
    assertThat(Files.readAttributes(big, "unix:ino,size")).containsOnlyKeys("ino", "size");
    assertThat(Files.isSameFile(big, fs.getPath("/hard.bin"))).isTrue();
    assertThat(Files.readAttributes(fs.getPath("/loop"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
        .get("mode")).isEqualTo(0120777);
    assertThat(Files.getFileAttributeView(big, PosixFileAttributeView.class)).isNotNull();
    UserDefinedFileAttributeView user =
        Files.getFileAttributeView(fs.getPath("/"), UserDefinedFileAttributeView.class);
    assertThat(user.list()).containsExactly("comment");
    assertThat(Files.readAttributes(fs.getPath("/"), "xattr:*")).containsKeys("user.comment",
        "security.selinux");
  }

  @Test
  void refusesChanges() throws IOException {
    Path p = fs.getPath("/etc/os-release");
    assertThat(fs.isReadOnly()).isTrue();
    assertThatThrownBy(() -> Files.newByteChannel(p, StandardOpenOption.WRITE))
        .isInstanceOf(ReadOnlyFileSystemException.class);
    assertThatThrownBy(() -> Files.delete(p)).isInstanceOf(ReadOnlyFileSystemException.class);
    assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/new")))
        .isInstanceOf(ReadOnlyFileSystemException.class);
    assertThatThrownBy(() -> p.getFileSystem().provider().checkAccess(p, AccessMode.WRITE))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(Files.getFileStore(p).isReadOnly()).isTrue();
  }

  @Test
  void copiesOutOfTheImage(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("big.bin");
    Files.copy(fs.getPath("/big.bin"), out);
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(fs.getPath("/big.bin")));
  }

  @Test
  void copiesATreeKeepingLinksModesAndTimes(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("copy");
    long n = FileTrees.copy(fs.getPath("/"), out, false);
    assertThat(n).isEqualTo(10);
    assertThat(Files.isSymbolicLink(out.resolve("abs-link"))).isTrue();
    assertThat(Files.readSymbolicLink(out.resolve("rel-link")).toString())
        .isEqualTo("etc/os-release");
    assertThat(Files.readString(out.resolve("etc/os-release"))).startsWith("ID=test");
    assertThat(Files.readAttributes(out.resolve("big.bin"), "unix:mode").get("mode"))
        .isEqualTo(0104755);
    assertThat(Files.getLastModifiedTime(out.resolve("etc")))
        .isEqualTo(MemoryFileSystemDriver.MemVolume.MTIME);
    // The JDK sets a link's own times with lutimes(2): microseconds.
    assertThat(Files.getLastModifiedTime(out.resolve("abs-link"), LinkOption.NOFOLLOW_LINKS)
        .to(java.util.concurrent.TimeUnit.MICROSECONDS))
        .isEqualTo(MemoryFileSystemDriver.MemVolume.MTIME.to(java.util.concurrent.TimeUnit.MICROSECONDS));
    assertThat(Files.isDirectory(out.resolve("etc/empty.d"))).isTrue();
    assertThatThrownBy(() -> FileTrees.copy(fs.getPath("/etc"), out, false))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void pathsBehaveLikeUnixPaths() {
    Path p = fs.getPath("/a/b/../c/./d");
    assertThat(p.normalize().toString()).isEqualTo("/a/c/d");
    assertThat(p.getNameCount()).isEqualTo(6);
    assertThat(fs.getPath("/a/b").relativize(fs.getPath("/a/c/d")).toString()).isEqualTo("../c/d");
    assertThat(fs.getPath("/a").resolve("b/c").toString()).isEqualTo("/a/b/c");
    assertThat(fs.getPath("/a/b").startsWith(fs.getPath("/a"))).isTrue();
    assertThat(fs.getPath("/a/b").endsWith(fs.getPath("b"))).isTrue();
    assertThat(fs.getPath("/").getFileName()).isNull();
    assertThat(fs.getPath("x").getParent()).isNull();
    assertThat(fs.getPath("/a/b").toUri().toString()).startsWith("vdisk:").endsWith("!/a/b");
  }

  @Test
  void opensAnImageThroughFileSystems(@TempDir Path dir) throws IOException {
    byte[] bytes = new byte[1 << 16];
    System.arraycopy(MemoryFileSystemDriver.MAGIC, 0, bytes, 0, 5);
    Path image = dir.resolve("mem.img");
    Files.write(image, bytes);
    try (FileSystem byPath = FileSystems.newFileSystem(image, Map.of("partition", 0))) {
      assertThat(Files.readString(byPath.getPath("/etc/os-release"))).startsWith("ID=test");
    }
    try (FileSystem chosen = FileSystems.newFileSystem(image, Map.of())) {
      assertThat(chosen).isInstanceOf(VdiskFileSystem.class);
      assertThat(Files.isDirectory(chosen.getPath("/etc"))).isTrue();
    }
    try (VdiskFileSystem direct = VdiskFileSystems.open(image, OptionalInt.empty())) {
      assertThat(direct.identity().label()).isEqualTo("test");
    }
    java.net.URI uri = java.net.URI.create("vdisk:" + image.toUri());
    try (FileSystem byUri = FileSystems.newFileSystem(uri, Map.of())) {
      Path viaUri = Path.of(java.net.URI.create(uri + "!/etc/os-release"));
      assertThat(Files.readString(viaUri)).startsWith("ID=test");
      assertThat(viaUri.getFileSystem()).isSameAs(byUri);
    }
  }

  @Test
  void declinesFilesWithoutAFileSystem(@TempDir Path dir) throws IOException {
    Path image = dir.resolve("zeros.img");
    Files.write(image, new byte[1 << 16]);
    assertThatThrownBy(() -> FileSystems.newFileSystem(image, Map.of("partition", 0)))
        .isInstanceOf(NoFileSystemException.class);
    assertThatThrownBy(() -> FileSystems.newFileSystem(image, Map.of()))
        .isInstanceOf(java.nio.file.ProviderNotFoundException.class);
    assertThat(FileSystemDrivers.identify(MemoryBlockDevice.readOnlyCopyOf(new byte[512])))
        .isEmpty();
    byte[] ok = new byte[512];
    System.arraycopy(MemoryFileSystemDriver.MAGIC, 0, ok, 0, 5);
    assertThat(FileSystemDrivers.identify(MemoryBlockDevice.readOnlyCopyOf(ok)).get().uuid())
        .isEqualTo("0000-1111");
    assertThat(new String(MemoryFileSystemDriver.MAGIC, StandardCharsets.US_ASCII))
        .isEqualTo("MEMFS");
  }
}
