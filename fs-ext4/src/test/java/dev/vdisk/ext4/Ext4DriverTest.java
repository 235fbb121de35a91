package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.ext4.internal.Crc32c;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver on the small images that mke2fs made for the fuzz seeds (see
 * {@code make-ext4-fuzz-seeds.sh} for their contents), and on edited copies: unknown features,
 * checksum mismatches, encrypted inodes and cyclic extent trees must give typed errors that name
 * what is wrong.
 */
class Ext4DriverTest {

  static byte[] image(String name) {
    return Ext4Fixtures.seed("image", name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "inline", "nocsum"})
  void readsTheSeedTree(String name) throws IOException {
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(image(name)))) {
      assertThat(Files.readString(fs.getPath("/hello.txt"))).isEqualTo("hello\n");
      assertThat(Files.readString(fs.getPath("/dir/tiny"))).isEqualTo("tiny");
      assertThat(Files.readString(fs.getPath("/dir/five-k"))).isEqualTo("z".repeat(5000));
      assertThat(Files.readSymbolicLink(fs.getPath("/link")).toString()).isEqualTo("hello.txt");
      assertThat(Files.readString(fs.getPath("/link"))).isEqualTo("hello\n");
      assertThat(Files.readSymbolicLink(fs.getPath("/slow-link")).toString())
          .isEqualTo("p".repeat(70));
      try (Stream<java.nio.file.Path> many = Files.list(fs.getPath("/many"))) {
        assertThat(many.count()).isEqualTo(60);
      }
      assertThat(Files.exists(fs.getPath("/many/entry-with-a-longer-name-60"))).isTrue();
      assertThat(Files.exists(fs.getPath("/many/entry-with-a-longer-name-61"))).isFalse();
      Map<String, Object> unix = Files.readAttributes(fs.getPath("/hello.txt"), "unix:*",
          LinkOption.NOFOLLOW_LINKS);
      assertThat(unix.get("mode")).isEqualTo(0100644);
      assertThat(fs.identity().type()).isEqualTo(name.equals("ext2") ? "ext2" : "ext4");
      assertThat(fs.identity().uuid()).isEqualTo("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9");
      assertThat(fs.isReadOnly()).isTrue();
    }
  }

  @Test
  void identifiesWithoutMounting() throws IOException {
    MemoryBlockDevice d = Ext4Fixtures.device(image("ext4"));
    assertThat(FileSystemDrivers.identify(d).get().type()).isEqualTo("ext4");
    assertThat(new Ext4Driver().probe(Ext4Fixtures.device(new byte[4096]))).isZero();
  }

  @Test
  void refusesUnknownIncompatFeaturesByName() throws IOException {
    byte[] img = image("ext4");
    Ext4Fixtures.setIncompat(img, Ext4Fixtures.incompat(img) | 0x1);
    Ext4Fixtures.fixSuperblockChecksum(img);
    assertThatThrownBy(() -> new Ext4Driver().mount(Ext4Fixtures.device(img),
        MountOptions.defaults())).isInstanceOfSatisfying(UnsupportedFeatureException.class,
            e -> assertThat(e.feature()).isEqualTo("compression"));
    byte[] img2 = image("ext4");
    Ext4Fixtures.setIncompat(img2, Ext4Fixtures.incompat(img2) | 0x40000000);
    Ext4Fixtures.fixSuperblockChecksum(img2);
    assertThatThrownBy(() -> new Ext4Driver().mount(Ext4Fixtures.device(img2),
        MountOptions.defaults())).isInstanceOfSatisfying(UnsupportedFeatureException.class,
            e -> assertThat(e.feature()).isEqualTo("incompat_0x40000000"));
  }

  @Test
  void ignoresUnknownCompatFeatures() throws IOException {
    byte[] img = image("ext4");
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1024 + 0x5C, b.getInt(1024 + 0x5C) | 0x40000000);
    b.putInt(1024 + 0x64, b.getInt(1024 + 0x64) | 0x40000000);
    Ext4Fixtures.fixSuperblockChecksum(img);
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(img))) {
      assertThat(Files.readString(fs.getPath("/hello.txt"))).isEqualTo("hello\n");
    }
  }

  @Test
  void reportsABadSuperblockChecksum() {
    byte[] img = image("ext4");
    img[1024 + 0x78] ^= 1;
    assertThatThrownBy(() -> new Ext4Driver().mount(Ext4Fixtures.device(img),
        MountOptions.defaults())).isInstanceOfSatisfying(CorruptStructureException.class,
            e -> assertThat(e.structure()).isEqualTo("superblock"));
  }

  @Test
  void reportsABadInodeChecksumNamingTheInode() throws IOException {
    byte[] img = image("ext4");
    long offset = inodeOffset(img, 12);
    img[(int) offset + 0x10] ^= 0x55;
    try (Ext4Volume v = Ext4Volume.mount(Ext4Fixtures.device(img), MountOptions.defaults())) {
      assertThatThrownBy(() -> v.readInode(12))
          .isInstanceOfSatisfying(CorruptStructureException.class, e -> {
            assertThat(e.structure()).isEqualTo("inode 12");
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.getMessage()).contains("checksum");
          });
    }
  }

  @Test
  void refusesEncryptedFilesClearly() throws IOException {
    byte[] img = image("nocsum");
    long ino = inodeOf(img, "/hello.txt");
    long offset = inodeOffset(img, ino);
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt((int) offset + 0x20, b.getInt((int) offset + 0x20) | Inode.FL_ENCRYPT);
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(img))) {
      assertThatThrownBy(() -> Files.readString(fs.getPath("/hello.txt")))
          .isInstanceOfSatisfying(UnsupportedFeatureException.class,
              e -> assertThat(e.feature()).isEqualTo("encrypt"));
      assertThat(Files.size(fs.getPath("/hello.txt"))).isEqualTo(6);
    }
  }

  @Test
  void aCyclicExtentTreeIsAnError() throws IOException {
    byte[] img = image("nocsum");
    long ino = inodeOf(img, "/dir/five-k");
    long offset = inodeOffset(img, ino);
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    int iblock = (int) offset + 0x28;
    long self = 200;
    // root: depth 1, one index entry pointing at block 200; block 200: depth 1 pointing at itself
    b.putShort(iblock, (short) 0xF30A).putShort(iblock + 2, (short) 1)
        .putShort(iblock + 4, (short) 4).putShort(iblock + 6, (short) 1);
    b.putInt(iblock + 12, 0).putInt(iblock + 16, (int) self).putShort(iblock + 20, (short) 0);
    int blk = (int) (self * 1024);
    b.putShort(blk, (short) 0xF30A).putShort(blk + 2, (short) 1).putShort(blk + 4, (short) 84)
        .putShort(blk + 6, (short) 1);
    b.putInt(blk + 12, 0).putInt(blk + 16, (int) self).putShort(blk + 20, (short) 0);
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(img))) {
      assertThatThrownBy(() -> Files.readAllBytes(fs.getPath("/dir/five-k")))
          .isInstanceOfSatisfying(CorruptStructureException.class,
              e -> assertThat(e.getMessage()).contains("depth"));
    }
  }

  @Test
  void walksEverySeedImageWithinBounds() throws IOException {
    for (String name : List.of("ext2", "ext4", "inline", "nocsum")) {
      assertThat(Ext4Fixtures.walk(image(name), 1000)).isGreaterThan(60);
    }
  }

  @Test
  void concurrentReadersSeeTheSameBytes() throws Exception {
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(image("ext4")))) {
      List<java.nio.file.Path> files;
      try (Stream<java.nio.file.Path> walk = Files.walk(fs.getPath("/"))) {
        files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
      }
      Map<java.nio.file.Path, byte[]> expected = new java.util.HashMap<>();
      for (java.nio.file.Path p : files) {
        expected.put(p, Files.readAllBytes(p));
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(pool.submit(() -> {
            for (int round = 0; round < 20; round++) {
              for (java.nio.file.Path p : files) {
                if (!java.util.Arrays.equals(Files.readAllBytes(p), expected.get(p))) {
                  return false;
                }
              }
            }
            return true;
          }));
        }
        for (java.util.concurrent.Future<Boolean> r : results) {
          assertThat(r.get()).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void crc32cMatchesTheJdkWithTheUsualSeedAndInversion() {
    byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
    CRC32C jdk = new CRC32C();
    jdk.update(data);
    assertThat(~Crc32c.update(~0, data, 0, data.length) & 0xFFFFFFFFL).isEqualTo(jdk.getValue())
        .isEqualTo(0xE3069283L);
  }

  static long inodeOffset(byte[] img, long ino) throws IOException {
    try (Ext4Volume v = Ext4Volume.mount(Ext4Fixtures.device(img.clone()),
        MountOptions.defaults())) {
      // the group descriptor's inode table, as the volume reads it
      long ipg = v.superblock().inodesPerGroup;
      int isz = v.superblock().inodeSize;
      ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
      int gdtOffset = (v.blockSize() == 1024 ? 2 : 1) * v.blockSize();
      long group = (ino - 1) / ipg;
      int descSize = v.superblock().descSize;
      long table = b.getInt(gdtOffset + (int) group * descSize + 8) & 0xFFFFFFFFL;
      return table * v.blockSize() + ((ino - 1) % ipg) * isz;
    }
  }

  private static long inodeOf(byte[] img, String path) throws IOException {
    try (VdiskFileSystem fs = VdiskFileSystems.open(Ext4Fixtures.device(img.clone()))) {
      return (Long) Files.readAttributes(fs.getPath(path), "unix:ino",
          LinkOption.NOFOLLOW_LINKS).get("ino");
    }
  }

  static List<String> names(List<Node> nodes) {
    return nodes.stream().map(n -> Long.toString(n.id())).collect(Collectors.toList());
  }
}
