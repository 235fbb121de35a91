package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.ntfs.internal.SdBytes;
import dev.vdisk.ntfs.internal.SecureStore;
import dev.vdisk.ntfs.internal.SecurityDescriptor;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.SambaSddl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oracle test of {@link SecurityDescriptor} and {@link SecureStore}: every descriptor of the
 * {@code $Secure:$SDS} streams of the corpus's Windows-made and mkntfs-made volumes and of a volume
 * ntfs-3g fills with varied modes and POSIX ACLs (its raw descriptors also read through {@code
 * getfattr -n system.ntfs_acl}), and random descriptors, converted to SDDL here and by Samba
 * ({@code security.descriptor.as_sddl}). {@code $SII} and {@code $SDH} (cut by sleuthkit's {@code
 * icat}) must point at the {@code $SDS} entries, and every security id libfsntfs's {@code
 * fsntfsinfo} shows for an MFT entry must be in {@code $SII}.
 */
class NtfsSecurityIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"donald/testdata/test.ntfs.dd.gz", "colinfinck-ntfs/testdata/testfs1"})
  void corpusVolumes(String corpusFile) throws Exception {
    NtfsMetaTools.requireTools();
    SambaSddl.require();
    Path image = CorpusFiles.extract(corpusFile, dir);
    Checked c = checkSecure(image);
    assertThat(c.entries()).isNotEmpty();
    checkAttributes(image);
  }

  /**
   * The $SECURITY_DESCRIPTOR attributes of MFT entries (NTFS 1.x style, and what some tools
   * still write), cut by icat, against Samba: at most 120 entries, spread over the volume.
   */
  private void checkAttributes(Path image) {
    String all = Oracles.runOk("fsntfsinfo", "-E", "all", image.toString());
    List<Long> entries = new ArrayList<>();
    long entry = -1;
    for (String line : all.split("\n")) {
      Matcher m = Pattern.compile("^MFT entry: (\\d+) information:").matcher(line);
      if (m.find()) {
        entry = Long.parseLong(m.group(1));
      } else if (line.contains("$SECURITY_DESCRIPTOR (0x00000050)") && entry >= 0
          && (entries.isEmpty() || entries.get(entries.size() - 1) != entry)) {
        entries.add(entry);
      }
    }
    assertThat(entries).as("entries with a $SECURITY_DESCRIPTOR attribute").isNotEmpty();
    int step = Math.max(1, entries.size() / 120);
    List<byte[]> raws = new ArrayList<>();
    List<Long> used = new ArrayList<>();
    for (int i = 0; i < entries.size(); i += step) {
      raws.add(NtfsMetaTools.icat(image, entries.get(i), 80, null));
      used.add(entries.get(i));
    }
    List<String> samba = SambaSddl.sddl(raws, null);
    for (int i = 0; i < raws.size(); i++) {
      assertThat(parse(raws.get(i)).toSddl()).as("%s entry %d", image, used.get(i))
          .isEqualTo(samba.get(i));
    }
    System.out.printf("%s: %d $SECURITY_DESCRIPTOR attributes compared with Samba%n",
        image.getFileName(), raws.size());
  }

  @Test
  void ntfs3gDescriptors() throws Exception {
    NtfsMetaTools.requireTools();
    SambaSddl.require();
    Oracles.require("setfacl", "acl");
    Oracles.require("getfattr", "attr");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "acl.img", 16);
    Map<String, byte[]> raw = new LinkedHashMap<>();
    Map<String, Long> inodes = new HashMap<>();
    try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, dir.resolve("mnt"),
        "permissions,acl")) {
      String[] modes = {"---------", "rw-r--r--", "rwxr-xr-x", "rw-rw----", "r--------",
          "rwx------", "rwxrwxrwx", "-w--w--w-"};
      for (int i = 0; i < modes.length; i++) {
        Path f = Files.writeString(m.dir.resolve("mode" + i), "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(modes[i]));
      }
      Path d = Files.createDirectories(m.dir.resolve("dir"));
      Oracles.runOk("chmod", "1777", d.toString());
      Path s = Files.writeString(m.dir.resolve("setuid"), "x");
      Oracles.runOk("chmod", "4755", s.toString());
      Path g = Files.writeString(m.dir.resolve("setgid"), "x");
      Oracles.runOk("chmod", "2750", g.toString());
      Path o = Files.writeString(m.dir.resolve("owned"), "x");
      Oracles.runOk("chown", "1000:1000", o.toString());
      Path a = Files.writeString(m.dir.resolve("acl"), "x");
      Oracles.runOk("setfacl", "-m", "u:1234:rwx,g:555:r-x,o::-", a.toString());
      Path dd = Files.createDirectories(m.dir.resolve("defaults"));
      Oracles.runOk("setfacl", "-m", "d:u:1234:rwx,d:g::r-x,u:77:r--", dd.toString());
      Path inherited = Files.writeString(dd.resolve("child"), "x");
      Path sub = Files.createDirectories(dd.resolve("subdir"));
      for (Path p : List.of(m.dir.resolve("mode0"), m.dir.resolve("mode1"),
          m.dir.resolve("mode2"), m.dir.resolve("mode3"), m.dir.resolve("mode4"),
          m.dir.resolve("mode5"), m.dir.resolve("mode6"), m.dir.resolve("mode7"), d, s, g, o, a,
          dd, inherited, sub)) {
        String out = Oracles.runOk("getfattr", "-e", "hex", "-n", "system.ntfs_acl",
            p.toString());
        Matcher hex = Pattern.compile("system.ntfs_acl=0x([0-9a-f]+)").matcher(out);
        assertThat(hex.find()).as(out).isTrue();
        raw.put(p.getFileName().toString(), HexFormat.of().parseHex(hex.group(1)));
        inodes.put(p.getFileName().toString(),
            Long.parseLong(Oracles.runOk("stat", "-c", "%i", p.toString()).trim()));
      }
    }
    List<byte[]> bytes = new ArrayList<>(raw.values());
    List<String> samba = SambaSddl.sddl(bytes, null);
    int i = 0;
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      SecurityDescriptor sd = SecurityDescriptor.parse(ByteBuffer.wrap(e.getValue()), "getfattr",
          0);
      assertThat(sd.toSddl()).as(e.getKey()).isEqualTo(samba.get(i++));
    }
    Checked c = checkSecure(image);
    Map<Long, Integer> ids = securityIds(image);
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      int id = ids.get(inodes.get(e.getKey()));
      SecureStore.SdsEntry entry = c.byId().get(id);
      assertThat(entry).as("$SDS entry %d of %s", id, e.getKey()).isNotNull();
      assertThat(entry.raw()).as(e.getKey()).isEqualTo(ByteBuffer.wrap(e.getValue()));
    }
  }

  @Test
  void randomDescriptors() {
    SambaSddl.require();
    long seed = new Random().nextLong();
    System.out.println("NtfsSecurityIT.randomDescriptors seed " + seed);
    Random r = new Random(seed);
    String domain = "S-1-5-21-" + Integer.toUnsignedString(r.nextInt()) + "-"
        + Integer.toUnsignedString(r.nextInt()) + "-" + Integer.toUnsignedString(r.nextInt());
    List<byte[]> descriptors = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      descriptors.add(SdBytes.randomDescriptor(r, domain));
    }
    List<String> plain = SambaSddl.sddl(descriptors, null);
    List<String> withDomain = SambaSddl.sddl(descriptors, domain);
    dev.vdisk.ntfs.internal.Sid dom = dev.vdisk.ntfs.internal.Sid.of(domain);
    for (int i = 0; i < descriptors.size(); i++) {
      byte[] d = descriptors.get(i);
      String context = "seed " + seed + " #" + i + " " + HexFormat.of().formatHex(d);
      SecurityDescriptor sd = parse(d);
      assertThat(sd.toSddl()).as(context).isEqualTo(plain.get(i));
      assertThat(sd.toSddl(dom)).as(context).isEqualTo(withDomain.get(i));
    }
  }

  private static SecurityDescriptor parse(byte[] d) {
    try {
      return SecurityDescriptor.parse(ByteBuffer.wrap(d), "test", 0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** What a $Secure check saw. */
  private record Checked(List<SecureStore.SdsEntry> entries,
      Map<Integer, SecureStore.SdsEntry> byId) {}

  /**
   * Parses $SDS, compares every descriptor with Samba (dropping the SACL from a copy when Samba
   * cannot write it), and checks $SII, $SDH and fsntfsinfo's security ids against it.
   */
  private Checked checkSecure(Path image) throws Exception {
    byte[] sds = NtfsMetaTools.icat(image, 9, 128, "$SDS");
    List<SecureStore.SdsEntry> entries = SecureStore.parseSds(ByteBuffer.wrap(sds),
        image.toString());
    assertThat(SecureStore.mirrorMismatches(ByteBuffer.wrap(sds), entries))
        .as("entries whose mirror copy differs").isEmpty();
    Map<Integer, SecureStore.SdsEntry> byId = new HashMap<>();
    List<byte[]> raws = new ArrayList<>();
    for (SecureStore.SdsEntry e : entries) {
      byId.put(e.header().securityId(), e);
      byte[] r = new byte[e.raw().remaining()];
      e.raw().duplicate().get(r);
      raws.add(r);
    }
    List<String> samba = SambaSddl.sddl(raws, null);
    List<byte[]> withoutSacl = new ArrayList<>();
    List<Integer> crashed = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      String ours = entries.get(i).descriptor().toSddl();
      if (samba.get(i).startsWith(SambaSddl.CRASH)) {
        // Samba 4.17 has no SDDL for mandatory label ACEs: compare all but the SACL
        assertThat(entries.get(i).descriptor().sacl()).isPresent();
        byte[] copy = raws.get(i).clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(2,
            (short) (ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).getShort(2) & ~0x10));
        withoutSacl.add(copy);
        crashed.add(i);
      } else {
        assertThat(ours).as("%s $SDS entry %d", image, i).isEqualTo(samba.get(i));
      }
    }
    if (!withoutSacl.isEmpty()) {
      List<String> again = SambaSddl.sddl(withoutSacl, null);
      for (int k = 0; k < again.size(); k++) {
        String ours = entries.get(crashed.get(k)).descriptor().toSddl();
        assertThat(ours).as("%s $SDS entry %d", image, crashed.get(k))
            .startsWith(again.get(k) + "S:");
        assertThat(parse(withoutSacl.get(k)).toSddl()).isEqualTo(again.get(k));
      }
    }
    System.out.printf("%s: %d $SDS entries, %d compared whole with Samba, %d without the SACL%n",
        image.getFileName(), entries.size(), entries.size() - crashed.size(), crashed.size());

    SecureStore.SdsReader reader = (offset, length) -> {
      int from = (int) Math.min(offset, sds.length);
      return ByteBuffer.wrap(sds, from, Math.min(length, sds.length - from)).slice();
    };
    for (String index : List.of("$SII", "$SDH")) {
      List<SecureStore.IndexEntry> all = indexEntries(image, index);
      assertThat(all).as(index).hasSize(entries.size());
      for (SecureStore.IndexEntry ie : all) {
        SecureStore.SdsEntry e = byId.get(ie.securityId());
        assertThat(e).as("%s entry for id %d", index, ie.securityId()).isNotNull();
        assertThat(ie.data()).isEqualTo(e.header());
        SecureStore.SdsEntry looked = SecureStore.lookup(ie.data(), reader, image.toString());
        assertThat(looked.descriptor()).isEqualTo(e.descriptor());
      }
    }
    byte[] siiRoot = NtfsMetaTools.icat(image, 9, 144, "$SII");
    var siiAlloc = NtfsMetaTools.attributeId(image, 9, 160, "$SII");
    byte[] siiBlocks = siiAlloc.isPresent() ? NtfsMetaTools.icat(image, 9, 160, siiAlloc.get())
        : new byte[0];
    int clusterSize;
    try (var ch = java.nio.channels.FileChannel.open(image)) {
      ByteBuffer boot = ByteBuffer.allocate(512);
      ch.read(boot, 0);
      clusterSize = dev.vdisk.ntfs.internal.BootSector.parse(boot.flip(), image.toString(), 0)
          .clusterSize();
    }
    int searched = 0;
    for (int id : new java.util.TreeSet<>(securityIds(image).values())) {
      if (id != 0) {
        assertThat(byId).as("fsntfsinfo's security id %d", id).containsKey(id);
        assertThat(searchSii(siiRoot, siiBlocks, clusterSize, id))
            .as("$SII search for %d", id).isEqualTo(byId.get(id).header());
        searched++;
      }
    }
    assertThat(searched).isPositive();
    return new Checked(entries, byId);
  }

  /** Searches $SII from its root down through its INDX blocks, as a reader of ids would. */
  private static SecureStore.SdsHeader searchSii(byte[] root, byte[] blocks, int clusterSize,
      int id) throws Exception {
    int blockSize = ByteBuffer.wrap(root).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    int vcnSize = blockSize >= clusterSize ? clusterSize : 512;
    SecureStore.IndexNode node = SecureStore.parseIndexRoot(ByteBuffer.wrap(root), "$SII", 0);
    for (int depth = 0; depth < 8; depth++) {
      SecureStore.Search s = SecureStore.searchSii(node, id);
      if (s.found().isPresent()) {
        return s.found().get().data();
      }
      if (s.childVcn() < 0) {
        return null;
      }
      long at = s.childVcn() * vcnSize;
      node = SecureStore.parseIndexBlock(ByteBuffer.wrap(blocks, (int) at, blockSize), "$SII",
          at);
    }
    throw new AssertionError("$SII deeper than 8 levels");
  }

  /** Every entry of an $SII or $SDH index: the root and each in-use INDX block. */
  private List<SecureStore.IndexEntry> indexEntries(Path image, String name) throws Exception {
    byte[] root = NtfsMetaTools.icat(image, 9, 144, name);
    String src = image + ":" + name;
    List<SecureStore.IndexEntry> out = new ArrayList<>(
        SecureStore.parseIndexRoot(ByteBuffer.wrap(root), src, 0).entries());
    var alloc = NtfsMetaTools.attributeId(image, 9, 160, name);
    if (alloc.isPresent()) {
      byte[] blocks = NtfsMetaTools.icat(image, 9, 160, alloc.get());
      int blockSize = ByteBuffer.wrap(root).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
      byte[] bitmap = NtfsMetaTools.icat(image, 9, 176, name);
      for (int i = 0; i * blockSize < blocks.length; i++) {
        if ((bitmap[i / 8] >> (i % 8) & 1) != 0) {
          out.addAll(SecureStore.parseIndexBlock(
              ByteBuffer.wrap(blocks, i * blockSize, blockSize), src, (long) i * blockSize)
              .entries());
        }
      }
    }
    return out;
  }

  /** MFT entry to security id, as fsntfsinfo shows them. */
  private static Map<Long, Integer> securityIds(Path image) {
    Oracles.require("fsntfsinfo", "libfsntfs-utils");
    String out = Oracles.runOk("fsntfsinfo", "-E", "all", image.toString());
    Map<Long, Integer> ids = new HashMap<>();
    Matcher m = Pattern.compile("^MFT entry: (\\d+) information:|"
        + "Security descriptor identifier\\s*: (\\d+)", Pattern.MULTILINE).matcher(out);
    long entry = -1;
    while (m.find()) {
      if (m.group(1) != null) {
        entry = Long.parseLong(m.group(1));
      } else if (entry >= 0) {
        ids.putIfAbsent(entry, Integer.parseInt(m.group(2)));
      }
    }
    return ids;
  }
}
