package dev.vdisk.core.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.copy.ProgressListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every write path of {@link VdiskFileSystemProvider}, on the writable in-memory test volume. */
class VdiskFileSystemWriteTest {
  private static final FileTime T1 = FileTime.from(Instant.parse("2021-05-06T07:08:09.5Z"));
  private static final FileTime T2 = FileTime.from(Instant.parse("2019-01-02T03:04:05Z"));

  private VdiskFileSystem fs;
  private MemoryFileSystemDriver.MemVolume volume;

  @BeforeEach
  void open() throws IOException {
    fs = MemoryFileSystemDriver.openWritableTestFileSystem();
    volume = MemoryFileSystemDriver.lastMounted;
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  @Test
  void writesReadsAndAppendsThroughFilesApi() throws IOException {
    assertThat(fs.isReadOnly()).isFalse();
    Path p = fs.getPath("/etc/motd");
    Files.writeString(p, "hello\n");
    assertThat(Files.readString(p)).isEqualTo("hello\n");
    Files.writeString(p, "again\n", StandardOpenOption.APPEND);
    assertThat(Files.readString(p)).isEqualTo("hello\nagain\n");
    Files.writeString(p, "short"); // CREATE, TRUNCATE_EXISTING, WRITE
    assertThat(Files.readString(p)).isEqualTo("short");
    try (OutputStream out = Files.newOutputStream(fs.getPath("/etc/stream"))) {
      out.write(new byte[] {1, 2, 3});
    }
    assertThat(Files.readAllBytes(fs.getPath("/etc/stream"))).containsExactly(1, 2, 3);
    assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(0100644);
  }

  @Test
  void aReadWriteChannelSeeksGrowsAndTruncates() throws IOException {
    Path p = fs.getPath("/data.bin");
    try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertThat(ch.size()).isZero();
      ch.position(10).write(ByteBuffer.wrap("xyz".getBytes(StandardCharsets.US_ASCII)));
      assertThat(ch.size()).isEqualTo(13);
      assertThat(ch.position()).isEqualTo(13);
      ByteBuffer back = ByteBuffer.allocate(13);
      ch.position(0).read(back);
      assertThat(back.array()).startsWith(new byte[10]).endsWith('x', 'y', 'z');
      ch.truncate(11);
      assertThat(ch.size()).isEqualTo(11);
      assertThat(ch.position()).isEqualTo(11);
      ch.truncate(50); // never grows
      assertThat(ch.size()).isEqualTo(11);
    }
    try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.APPEND)) {
      ch.position(0).write(ByteBuffer.wrap(new byte[] {9}));
      assertThat(ch.size()).isEqualTo(12);
      assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1)))
          .isInstanceOf(java.nio.channels.NonReadableChannelException.class);
    }
    assertThat(Files.readAllBytes(p)).hasSize(12).endsWith('x', 9);
    try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ)) {
      assertThatThrownBy(() -> ch.write(ByteBuffer.wrap(new byte[1])))
          .isInstanceOf(NonWritableChannelException.class);
    }
  }

  @Test
  void openOptionErrors() throws IOException {
    Path existing = fs.getPath("/etc/os-release");
    assertThatThrownBy(() -> Files.newByteChannel(existing, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)).isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> Files.newByteChannel(fs.getPath("/missing"),
        StandardOpenOption.WRITE)).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> Files.newByteChannel(fs.getPath("/no/dir/file"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> Files.newByteChannel(fs.getPath("/etc"), StandardOpenOption.WRITE))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> Files.newByteChannel(existing, StandardOpenOption.APPEND,
        StandardOpenOption.READ)).isInstanceOf(IllegalArgumentException.class);
    try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/tmpfile"),
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.DELETE_ON_CLOSE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
      assertThat(Files.exists(fs.getPath("/tmpfile"))).isTrue();
    }
    assertThat(Files.exists(fs.getPath("/tmpfile"))).isFalse();
  }

  @Test
  void writingThroughALinkWritesItsTarget() throws IOException {
    Files.writeString(fs.getPath("/rel-link"), "ID=changed\n");
    assertThat(Files.readString(fs.getPath("/etc/os-release"))).isEqualTo("ID=changed\n");
    assertThat(Files.isSymbolicLink(fs.getPath("/rel-link"))).isTrue();
  }

  @Test
  void createsDirectoriesWithPermissions() throws IOException {
    Path d = Files.createDirectory(fs.getPath("/srv"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    assertThat(Files.getAttribute(d, "unix:mode")).isEqualTo(040750);
    Files.createDirectories(fs.getPath("/srv/a/b/c"));
    assertThat(Files.isDirectory(fs.getPath("/srv/a/b/c"))).isTrue();
    assertThat(Files.getAttribute(fs.getPath("/srv/a"), "unix:mode")).isEqualTo(040755);
    Path f = Files.createFile(fs.getPath("/srv/secret"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    assertThat(Files.getAttribute(f, "unix:mode")).isEqualTo(0100600);
    assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/srv")))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/nope/x")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/etc/os-release/x")))
        .isInstanceOf(java.nio.file.NotDirectoryException.class);
    assertThatThrownBy(() -> Files.createDirectory(fs.getPath("/")))
        .isInstanceOf(FileSystemException.class);
  }

  @Test
  void deletesFilesLinksAndEmptyDirectoriesOnly() throws IOException {
    assertThatThrownBy(() -> Files.delete(fs.getPath("/etc")))
        .isInstanceOf(DirectoryNotEmptyException.class);
    assertThatThrownBy(() -> Files.delete(fs.getPath("/missing")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Files.deleteIfExists(fs.getPath("/missing"))).isFalse();
    Files.delete(fs.getPath("/abs-link")); // the link, not /etc
    assertThat(Files.exists(fs.getPath("/abs-link"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.isDirectory(fs.getPath("/etc"))).isTrue();
    Files.delete(fs.getPath("/etc/empty.d"));
    Files.delete(fs.getPath("/hard.bin"));
    assertThat(Files.getAttribute(fs.getPath("/big.bin"), "unix:nlink")).isEqualTo(1);
    Files.delete(fs.getPath("/etc/os-release"));
    Files.delete(fs.getPath("/etc"));
    assertThat(Files.exists(fs.getPath("/etc"))).isFalse();
    assertThatThrownBy(() -> Files.readString(fs.getPath("/rel-link")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void movesRenamesAndReplaces() throws IOException {
    Files.writeString(fs.getPath("/a.txt"), "a");
    Files.writeString(fs.getPath("/b.txt"), "b");
    assertThatThrownBy(() -> Files.move(fs.getPath("/a.txt"), fs.getPath("/b.txt")))
        .isInstanceOf(FileAlreadyExistsException.class);
    Files.move(fs.getPath("/a.txt"), fs.getPath("/b.txt"), StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.readString(fs.getPath("/b.txt"))).isEqualTo("a");
    assertThat(Files.exists(fs.getPath("/a.txt"))).isFalse();
    Files.move(fs.getPath("/b.txt"), fs.getPath("/etc/empty.d/c.txt"),
        StandardCopyOption.ATOMIC_MOVE);
    assertThat(Files.readString(fs.getPath("/etc/empty.d/c.txt"))).isEqualTo("a");
    // a directory, through a path that was looked up before
    assertThat(Files.exists(fs.getPath("/etc/os-release"))).isTrue();
    Files.move(fs.getPath("/etc"), fs.getPath("/config"));
    assertThat(Files.exists(fs.getPath("/etc/os-release"))).isFalse();
    assertThat(Files.readString(fs.getPath("/config/os-release"))).startsWith("ID=test");
    assertThatThrownBy(() -> Files.move(fs.getPath("/config"), fs.getPath("/config/empty.d/x")))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("into itself");
    Files.createDirectory(fs.getPath("/full"));
    Files.writeString(fs.getPath("/full/f"), "f");
    assertThatThrownBy(() -> Files.move(fs.getPath("/config/empty.d"), fs.getPath("/full"),
        StandardCopyOption.REPLACE_EXISTING)).isInstanceOf(DirectoryNotEmptyException.class);
    Files.createDirectory(fs.getPath("/empty"));
    Files.move(fs.getPath("/config/empty.d"), fs.getPath("/empty"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.readString(fs.getPath("/empty/c.txt"))).isEqualTo("a");
    // a file replacing a directory (REPLACE_EXISTING deletes first)
    Files.createDirectory(fs.getPath("/e2"));
    Files.move(fs.getPath("/full/f"), fs.getPath("/e2"), StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.isRegularFile(fs.getPath("/e2"))).isTrue();
    assertThatThrownBy(() -> Files.move(fs.getPath("/missing"), fs.getPath("/x")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void copiesWithinTheFileSystem() throws IOException {
    Files.copy(fs.getPath("/big.bin"), fs.getPath("/copy.bin"));
    assertThat(Files.readAllBytes(fs.getPath("/copy.bin")))
        .isEqualTo(Files.readAllBytes(fs.getPath("/big.bin")));
    assertThat(Files.getAttribute(fs.getPath("/copy.bin"), "unix:ino"))
        .isNotEqualTo(Files.getAttribute(fs.getPath("/big.bin"), "unix:ino"));
    assertThatThrownBy(() -> Files.copy(fs.getPath("/big.bin"), fs.getPath("/copy.bin")))
        .isInstanceOf(FileAlreadyExistsException.class);
    Files.copy(fs.getPath("/etc/os-release"), fs.getPath("/copy.bin"),
        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    assertThat(Files.readString(fs.getPath("/copy.bin"))).startsWith("ID=test");
    assertThat(Files.getLastModifiedTime(fs.getPath("/copy.bin")))
        .isEqualTo(MemoryFileSystemDriver.MemVolume.MTIME);
    Files.copy(fs.getPath("/rel-link"), fs.getPath("/link-copy"), LinkOption.NOFOLLOW_LINKS);
    assertThat(Files.readSymbolicLink(fs.getPath("/link-copy")).toString())
        .isEqualTo("etc/os-release");
    Files.copy(fs.getPath("/etc"), fs.getPath("/etc2"));
    assertThat(Files.isDirectory(fs.getPath("/etc2"))).isTrue();
    try (Stream<Path> s = Files.list(fs.getPath("/etc2"))) {
      assertThat(s).isEmpty(); // Files.copy copies a directory without its entries
    }
  }

  @Test
  void makesSymbolicAndHardLinks() throws IOException {
    Path link = Files.createSymbolicLink(fs.getPath("/etc/to-big"), fs.getPath("../big.bin"));
    assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("../big.bin");
    assertThat(Files.size(link)).isEqualTo(100_000);
    assertThatThrownBy(() -> Files.createSymbolicLink(link, fs.getPath("x")))
        .isInstanceOf(FileAlreadyExistsException.class);
    Path hard = Files.createLink(fs.getPath("/etc/big-again"), fs.getPath("/big.bin"));
    assertThat(Files.isSameFile(hard, fs.getPath("/big.bin"))).isTrue();
    assertThat(Files.getAttribute(hard, "unix:nlink")).isEqualTo(3);
    assertThatThrownBy(() -> Files.createLink(fs.getPath("/etc-link"), fs.getPath("/etc")))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("directory");
    assertThatThrownBy(() -> Files.createLink(fs.getPath("/big.bin"), fs.getPath("/hard.bin")))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void setsAttributesByName() throws IOException {
    Path p = fs.getPath("/etc/os-release");
    Files.setAttribute(p, "basic:lastModifiedTime", T1);
    Files.setAttribute(p, "lastAccessTime", T2);
    Files.setAttribute(p, "creationTime", T2);
    Map<String, Object> basic = Files.readAttributes(p, "*");
    assertThat(basic.get("lastModifiedTime")).isEqualTo(T1);
    assertThat(basic.get("lastAccessTime")).isEqualTo(T2);
    assertThat(basic.get("creationTime")).isEqualTo(T2);
    Files.setAttribute(p, "posix:permissions", PosixFilePermissions.fromString("rw-r-----"));
    assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(0100640);
    Files.setAttribute(p, "unix:mode", 04711);
    assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(0104711);
    Files.setAttribute(p, "unix:uid", 33);
    Files.setAttribute(p, "unix:gid", 44);
    assertThat(Files.readAttributes(p, "unix:uid,gid")).containsEntry("uid", 33)
        .containsEntry("gid", 44);
    var lookup = fs.getUserPrincipalLookupService();
    Files.setAttribute(p, "posix:owner", lookup.lookupPrincipalByName("7"));
    Files.setAttribute(p, "posix:group", lookup.lookupPrincipalByGroupName("8"));
    assertThat(Files.getAttribute(p, "unix:uid")).isEqualTo(7);
    assertThat(Files.getAttribute(p, "unix:gid")).isEqualTo(8);
    Files.setAttribute(p, "owner:owner", lookup.lookupPrincipalByName("9"));
    assertThat(Files.getOwner(p).getName()).isEqualTo("9");
    Files.setOwner(p, lookup.lookupPrincipalByName("10"));
    assertThat(Files.getAttribute(p, "unix:uid")).isEqualTo(10);
    // a link's own times, not its target's
    Files.setAttribute(fs.getPath("/rel-link"), "lastModifiedTime", T2, LinkOption.NOFOLLOW_LINKS);
    assertThat(Files.getLastModifiedTime(fs.getPath("/rel-link"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(T2);
    assertThat(Files.getLastModifiedTime(p)).isEqualTo(T1);
    assertThatThrownBy(() -> Files.setAttribute(p, "unix:ino", 5L))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Files.setAttribute(p, "owner:lastModifiedTime", T1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Files.setAttribute(p, "unix:mode", "0644"))
        .isInstanceOf(ClassCastException.class);
    assertThatThrownBy(() -> Files.setAttribute(p, "acl:acl", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void setsAttributesThroughViews() throws IOException {
    Path p = fs.getPath("/big.bin");
    PosixFileAttributeView posix = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    posix.setPermissions(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(0104700); // setuid kept
    posix.setOwner(fs.getUserPrincipalLookupService().lookupPrincipalByName("0"));
    posix.setGroup(fs.getUserPrincipalLookupService().lookupPrincipalByGroupName("5"));
    posix.setTimes(T1, T2, null);
    assertThat(posix.readAttributes().owner().getName()).isEqualTo("0");
    assertThat(posix.readAttributes().group().getName()).isEqualTo("5");
    assertThat(posix.readAttributes().lastModifiedTime()).isEqualTo(T1);
    assertThat(posix.readAttributes().lastAccessTime()).isEqualTo(T2);
    Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(T2, null, null);
    assertThat(Files.getLastModifiedTime(p)).isEqualTo(T2);
    assertThat(Files.getAttribute(p, "lastAccessTime")).isEqualTo(T2);
    Files.setLastModifiedTime(p, T1);
    assertThat(Files.getLastModifiedTime(p)).isEqualTo(T1);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
    assertThat(Files.getAttribute(p, "unix:mode")).isEqualTo(0104444);
  }

  @Test
  void writesAndDeletesExtendedAttributes() throws IOException {
    Path p = fs.getPath("/etc/os-release");
    UserDefinedFileAttributeView user =
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    assertThat(user.write("origin", StandardCharsets.UTF_8.encode("vdisk"))).isEqualTo(5);
    assertThat(user.list()).containsExactly("origin");
    ByteBuffer back = ByteBuffer.allocate(user.size("origin"));
    user.read("origin", back);
    assertThat(new String(back.array(), StandardCharsets.UTF_8)).isEqualTo("vdisk");
    Files.setAttribute(p, "user:other", new byte[] {1, 2});
    Files.setAttribute(p, "xattr:security.selinux",
        "system_u:object_r:etc_t:s0\0".getBytes(StandardCharsets.US_ASCII));
    Map<String, Object> all = Files.readAttributes(p, "xattr:*");
    assertThat(all).containsOnlyKeys("user.origin", "user.other", "security.selinux");
    assertThat((byte[]) all.get("user.other")).containsExactly(1, 2);
    user.delete("origin");
    assertThat(user.list()).containsExactly("other");
    assertThatThrownBy(() -> user.delete("origin")).isInstanceOf(FileSystemException.class);
    assertThatThrownBy(() -> Files.setAttribute(p, "xattr:noprefix", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Files.setAttribute(p, "user:x", "text"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lookupsSeeEveryChange() throws IOException {
    // Look paths up first (warming any cache), then change the tree under them.
    Path inner = fs.getPath("/etc/empty.d/inner");
    assertThat(Files.exists(inner)).isFalse();
    Files.writeString(inner, "1");
    assertThat(Files.readString(inner)).isEqualTo("1");
    Files.move(fs.getPath("/etc/empty.d"), fs.getPath("/moved"));
    assertThat(Files.exists(inner)).isFalse();
    Files.createDirectory(fs.getPath("/etc/empty.d"));
    assertThat(Files.exists(inner)).isFalse();
    Files.writeString(inner, "2");
    assertThat(Files.readString(inner)).isEqualTo("2");
    assertThat(Files.readString(fs.getPath("/moved/inner"))).isEqualTo("1");
    Files.delete(inner);
    assertThat(Files.exists(inner)).isFalse();
    try (Stream<Path> s = Files.list(fs.getPath("/etc/empty.d"))) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void accessAndFileStoreReflectAWritableVolume() throws IOException {
    Path p = fs.getPath("/etc/os-release");
    p.getFileSystem().provider().checkAccess(p, AccessMode.READ, AccessMode.WRITE);
    assertThat(Files.isWritable(p)).isTrue();
    var store = Files.getFileStore(p);
    assertThat(store.isReadOnly()).isFalse();
    long before = store.getUnallocatedSpace();
    assertThat(store.getUsableSpace()).isEqualTo(before).isEqualTo(volume.freeSpace());
    Files.write(fs.getPath("/more.bin"), new byte[4096]);
    assertThat(store.getUnallocatedSpace()).isEqualTo(before - 4096);
  }

  @Test
  void closingFlushesThenClosesAndReportsAFailedFlush() throws IOException {
    Files.writeString(fs.getPath("/x"), "x");
    assertThat(volume.flushes).isZero();
    fs.close();
    assertThat(volume.flushes).isEqualTo(1);
    assertThat(volume.closed).isTrue();
    fs.close(); // once only
    assertThat(volume.flushes).isEqualTo(1);

    fs = MemoryFileSystemDriver.openWritableTestFileSystem();
    MemoryFileSystemDriver.MemVolume second = MemoryFileSystemDriver.lastMounted;
    second.failFlush = true;
    assertThatThrownBy(() -> fs.close()).isInstanceOf(IOException.class)
        .hasMessageContaining("flush failed");
    assertThat(second.closed).isTrue();
    assertThat(fs.isOpen()).isFalse();
  }

  @Test
  void aReadOnlyFileSystemRefusesEveryChange() throws IOException {
    try (VdiskFileSystem ro = MemoryFileSystemDriver.openTestFileSystem()) {
      Path p = ro.getPath("/etc/os-release");
      List<ThrowingCall> changes = List.of(
          () -> Files.newByteChannel(p, StandardOpenOption.WRITE),
          () -> Files.newByteChannel(ro.getPath("/n"), StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE),
          () -> Files.writeString(p, "x", StandardOpenOption.APPEND),
          () -> Files.createDirectory(ro.getPath("/d")),
          () -> Files.delete(p),
          () -> Files.move(p, ro.getPath("/m")),
          () -> Files.copy(p, ro.getPath("/c")),
          () -> Files.createSymbolicLink(ro.getPath("/s"), ro.getPath("x")),
          () -> Files.createLink(ro.getPath("/h"), p),
          () -> Files.setAttribute(p, "unix:mode", 0600),
          () -> Files.setLastModifiedTime(p, T1),
          () -> Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------")),
          () -> Files.getFileAttributeView(p, UserDefinedFileAttributeView.class)
              .write("a", ByteBuffer.allocate(1)),
          () -> Files.getFileAttributeView(p, UserDefinedFileAttributeView.class)
              .delete("a"));
      for (ThrowingCall change : changes) {
        assertThatThrownBy(change::run).isInstanceOf(ReadOnlyFileSystemException.class);
      }
      assertThat(Files.readString(p)).startsWith("ID=test");
    }
  }

  @Test
  void opensWritableThroughFileSystemsWithTheReadOnlyKey(@TempDir Path dir) throws IOException {
    byte[] bytes = new byte[1 << 16];
    System.arraycopy(MemoryFileSystemDriver.MAGIC, 0, bytes, 0, 5);
    Path image = dir.resolve("mem.img");
    Files.write(image, bytes);
    try (FileSystem w = FileSystems.newFileSystem(image, Map.of("readOnly", false))) {
      assertThat(w.isReadOnly()).isFalse();
      Files.writeString(w.getPath("/new"), "n");
    }
    assertThat(MemoryFileSystemDriver.lastMounted.flushes).isEqualTo(1);
    try (FileSystem w = FileSystems.newFileSystem(image, Map.of("readOnly", "false"))) {
      assertThat(w.isReadOnly()).isFalse();
    }
    try (FileSystem r = FileSystems.newFileSystem(image, Map.of("readOnly", "true"))) {
      assertThat(r.isReadOnly()).isTrue();
    }
    try (FileSystem r = FileSystems.newFileSystem(image, Map.of())) {
      assertThat(r.isReadOnly()).isTrue();
    }
    assertThatThrownBy(() -> FileSystems.newFileSystem(image, Map.of("readOnly", "maybe")))
        .isInstanceOf(IllegalArgumentException.class);
    try (VdiskFileSystem w = VdiskFileSystems.open(image, OptionalInt.empty(),
        MountOptions.writable())) {
      assertThat(w.isReadOnly()).isFalse();
    }
    assertThatThrownBy(() -> VdiskFileSystems.open(
        dev.vdisk.core.MemoryBlockDevice.readOnlyCopyOf(bytes), OptionalInt.empty(),
        MountOptions.writable())).isInstanceOf(java.nio.file.AccessDeniedException.class);
  }

  @Test
  void copiesATreeFromTheHostIntoTheImage(@TempDir Path dir) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path sub = Files.createDirectories(src.resolve("sub/deeper"));
    Files.writeString(sub.resolve("leaf.txt"), "leaf\n");
    byte[] big = new byte[700_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i % 251);
    }
    Files.write(src.resolve("big.bin"), big);
    Files.write(src.resolve("holes.bin"), new byte[300_000]); // all zeros: stays sized
    Files.createLink(src.resolve("big-link"), src.resolve("big.bin"));
    Files.createSymbolicLink(src.resolve("rel"), Path.of("sub/deeper/leaf.txt"));
    Files.createSymbolicLink(src.resolve("abs"), Path.of("/etc/os-release"));
    Files.setAttribute(src.resolve("big.bin"), "unix:mode", 04750);
    Path locked = Files.createDirectories(src.resolve("locked"));
    Files.writeString(locked.resolve("inside"), "in");
    Files.setAttribute(locked, "unix:mode", 0555);
    long t = 1_500_000_000L;
    try (Stream<Path> all = Files.walk(src)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setTimes(FileTime.fromMillis(t * 1000 + 123), FileTime.fromMillis(t * 1000), null);
        t += 100;
      }
    }
    int uid = (Integer) Files.getAttribute(src.resolve("big.bin"), "unix:uid");

    Path target = fs.getPath("/opt/app");
    Files.createDirectory(fs.getPath("/opt"));
    FileTrees.Summary summary = FileTrees.copy(src, target,
        new FileTrees.Options(true, false, ProgressListener.NONE));

    assertThat(summary.files()).isEqualTo(4);
    assertThat(summary.hardLinks()).isEqualTo(1);
    assertThat(summary.symlinks()).isEqualTo(2);
    assertThat(summary.directories()).isEqualTo(4);
    assertThat(Files.readAllBytes(target.resolve("big.bin"))).isEqualTo(big);
    assertThat(Files.readAllBytes(target.resolve("holes.bin"))).hasSize(300_000);
    assertThat(Files.readString(target.resolve("sub/deeper/leaf.txt"))).isEqualTo("leaf\n");
    assertThat(Files.isSameFile(target.resolve("big.bin"), target.resolve("big-link"))).isTrue();
    assertThat(Files.getAttribute(target.resolve("big.bin"), "unix:nlink")).isEqualTo(2);
    assertThat(Files.readSymbolicLink(target.resolve("rel")).toString())
        .isEqualTo("sub/deeper/leaf.txt");
    assertThat(Files.readString(target.resolve("rel"))).isEqualTo("leaf\n");
    assertThat(Files.readSymbolicLink(target.resolve("abs")).toString())
        .isEqualTo("/etc/os-release");
    assertThat(Files.readString(target.resolve("abs"))).startsWith("ID=test");
    assertThat(Files.getAttribute(target.resolve("big.bin"), "unix:mode")).isEqualTo(0104750);
    assertThat(Files.getAttribute(target.resolve("locked"), "unix:mode")).isEqualTo(040555);
    assertThat(Files.getAttribute(target.resolve("big.bin"), "unix:uid")).isEqualTo(uid);
    try (Stream<Path> all = Files.walk(src)) {
      for (Path p : all.toList()) {
        Path in = target.resolve(src.relativize(p).toString());
        assertThat(Files.getLastModifiedTime(in, LinkOption.NOFOLLOW_LINKS))
            .as("mtime of %s", in)
            .isEqualTo(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
      }
    }
    assertThatThrownBy(() -> FileTrees.copy(src, target, false))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void copiesIntoAnExistingDirectoryWhenMerging(@TempDir Path dir) throws IOException {
    Path src = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(src.resolve("os-release"), "ID=new\n");
    Files.writeString(src.resolve("hostname"), "box\n");
    FileTrees.Summary summary = FileTrees.copy(src, fs.getPath("/etc"),
        new FileTrees.Options(false, true, ProgressListener.NONE));
    assertThat(summary.files()).isEqualTo(2);
    assertThat(Files.readString(fs.getPath("/etc/os-release"))).isEqualTo("ID=new\n");
    assertThat(Files.readString(fs.getPath("/etc/hostname"))).isEqualTo("box\n");
    assertThat(Files.isDirectory(fs.getPath("/etc/empty.d"))).isTrue();
  }

  @Test
  void movesAndCopiesBetweenTwoImages() throws IOException {
    try (VdiskFileSystem other = MemoryFileSystemDriver.openWritableTestFileSystem()) {
      Files.writeString(fs.getPath("/moving"), "cargo");
      Files.setAttribute(fs.getPath("/moving"), "unix:mode", 0640);
      Files.setLastModifiedTime(fs.getPath("/moving"), T1);
      Files.move(fs.getPath("/moving"), other.getPath("/arrived"));
      assertThat(Files.exists(fs.getPath("/moving"))).isFalse();
      assertThat(Files.readString(other.getPath("/arrived"))).isEqualTo("cargo");
      assertThat(Files.getAttribute(other.getPath("/arrived"), "unix:mode")).isEqualTo(0100640);
      assertThat(Files.getLastModifiedTime(other.getPath("/arrived"))).isEqualTo(T1);
      assertThatThrownBy(() -> Files.move(fs.getPath("/etc"), other.getPath("/etc2")))
          .isInstanceOf(DirectoryNotEmptyException.class);
      assertThatThrownBy(() -> Files.move(fs.getPath("/big.bin"), other.getPath("/x"),
          StandardCopyOption.ATOMIC_MOVE))
          .isInstanceOf(java.nio.file.AtomicMoveNotSupportedException.class);
      assertThatThrownBy(() -> Files.createLink(other.getPath("/h"), fs.getPath("/big.bin")))
          .isInstanceOf(FileSystemException.class).hasMessageContaining("cross");
      Files.copy(fs.getPath("/big.bin"), other.getPath("/big.bin"),
          StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.readAllBytes(other.getPath("/big.bin")))
          .isEqualTo(Files.readAllBytes(fs.getPath("/big.bin")));
    }
  }

  @Test
  void copiesFromTheHostWithFilesCopyAndStreams(@TempDir Path dir) throws IOException {
    Path host = Files.writeString(dir.resolve("host.txt"), "from the host");
    Files.copy(host, fs.getPath("/etc/host.txt"));
    assertThat(Files.readString(fs.getPath("/etc/host.txt"))).isEqualTo("from the host");
    Files.copy(fs.getPath("/etc/host.txt"), dir.resolve("back.txt"));
    assertThat(Files.readString(dir.resolve("back.txt"))).isEqualTo("from the host");
    try (var in = new java.io.ByteArrayInputStream(new byte[] {4, 5})) {
      Files.copy(in, fs.getPath("/etc/host.txt"), StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(Files.readAllBytes(fs.getPath("/etc/host.txt"))).containsExactly(4, 5);
  }

  /** A call that may throw anything. */
  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }
}
