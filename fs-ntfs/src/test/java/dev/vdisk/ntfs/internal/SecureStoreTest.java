package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecureStoreTest {
  private static final int BLOCK = 256 * 1024;

  /** The $SDS hash written out longhand: rotate left by 3, add the next 32-bit word. */
  static int hash(byte[] d) {
    long h = 0;
    for (int i = 0; i + 4 <= d.length; i += 4) {
      long word = (d[i] & 0xffL) | (d[i + 1] & 0xffL) << 8 | (d[i + 2] & 0xffL) << 16
          | (d[i + 3] & 0xffL) << 24;
      h = ((h << 3) | (h >>> 29)) & 0xffffffffL;
      h = (h + word) & 0xffffffffL;
    }
    return (int) h;
  }

  /** An $SDS stream: entries packed 16-byte aligned, wrapping to the next primary block. */
  static final class Sds {
    final ByteBuffer b = ByteBuffer.allocate(4 * BLOCK + 4096).order(ByteOrder.LITTLE_ENDIAN);
    final List<SecureStore.SdsHeader> headers = new ArrayList<>();
    long pos;
    int id = 0x100;

    SecureStore.SdsHeader add(byte[] sd) {
      int length = 20 + sd.length;
      if (pos % BLOCK + length > BLOCK) {
        pos = (pos / BLOCK + 2) * BLOCK;
      }
      SecureStore.SdsHeader h = new SecureStore.SdsHeader(hash(sd), id++, pos, length);
      b.putInt((int) pos, h.hash()).putInt((int) pos + 4, h.securityId())
          .putLong((int) pos + 8, pos).putInt((int) pos + 16, length).put((int) pos + 20, sd);
      headers.add(h);
      pos = (pos + length + 15) & ~15L;
      return h;
    }

    ByteBuffer stream() {
      // mirror every primary block
      for (int blk = 0; (long) blk * BLOCK < pos; blk += 2) {
        b.put((blk + 1) * BLOCK, b, blk * BLOCK, BLOCK);
      }
      return b.slice(0, (int) Math.min(b.capacity(), ((pos / BLOCK) | 1) * BLOCK + 100));
    }
  }

  @Test
  void parsesEntriesAcrossBlocksAndLooksThemUp() throws Exception {
    Random r = new Random(5);
    Sds sds = new Sds();
    List<byte[]> descriptors = new ArrayList<>();
    while (sds.pos < BLOCK * 2 + 1000) {
      byte[] sd = SdBytes.randomDescriptor(r, "S-1-5-21-7-8-9");
      descriptors.add(sd);
      sds.add(sd);
    }
    ByteBuffer stream = sds.stream();
    List<SecureStore.SdsEntry> entries = SecureStore.parseSds(stream, "sds");
    assertThat(entries).hasSize(descriptors.size());
    assertThat(entries.stream().map(SecureStore.SdsEntry::header).toList())
        .isEqualTo(sds.headers);
    assertThat(entries.get(entries.size() - 1).header().offset()).isGreaterThan(2L * BLOCK);
    for (int i = 0; i < entries.size(); i++) {
      assertThat(entries.get(i).raw()).isEqualTo(ByteBuffer.wrap(descriptors.get(i)));
      assertThat(SecureStore.hash(ByteBuffer.wrap(descriptors.get(i))))
          .isEqualTo(hash(descriptors.get(i)));
    }
    assertThat(SecureStore.mirrorMismatches(stream, entries)).isEmpty();
    ByteBuffer damaged = ByteBuffer.allocate(stream.limit()).put(stream.duplicate()).flip();
    damaged.put(BLOCK + 30, (byte) (damaged.get(BLOCK + 30) + 1));
    assertThat(SecureStore.mirrorMismatches(damaged, entries)).containsExactly(0L);
    SecureStore.SdsReader reader = (offset, length) -> stream.slice((int) offset, length);
    SecureStore.SdsEntry e = SecureStore.lookup(sds.headers.get(3), reader, "sds");
    assertThat(e.descriptor()).isEqualTo(entries.get(3).descriptor());
    SecureStore.SdsHeader wrong = new SecureStore.SdsHeader(sds.headers.get(3).hash(),
        sds.headers.get(3).securityId() + 1, sds.headers.get(3).offset(),
        sds.headers.get(3).length());
    assertThatThrownBy(() -> SecureStore.lookup(wrong, reader, "sds"))
        .isInstanceOf(CorruptStructureException.class);
    SecureStore.SdsHeader misplaced = new SecureStore.SdsHeader(0, 0x100, 8, 100);
    assertThatThrownBy(() -> SecureStore.lookup(misplaced, reader, "sds"))
        .isInstanceOf(CorruptStructureException.class);
    SecureStore.SdsHeader crossing = new SecureStore.SdsHeader(0, 0x100, BLOCK - 16, 100);
    assertThatThrownBy(() -> SecureStore.lookup(crossing, reader, "sds"))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> SecureStore.lookup(sds.headers.get(0),
        (offset, length) -> ByteBuffer.allocate(3), "sds"))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void rejectsBadEntries() {
    byte[] sd = SdBytes.descriptor(0, "S-1-5-18", null, null, null);
    for (int field : new int[] {0, 8, 16}) {
      Sds sds = new Sds();
      sds.add(sd);
      sds.b.putInt(field, sds.b.getInt(field) + (field == 16 ? 100000 : 1));
      assertThatThrownBy(() -> SecureStore.parseSds(sds.stream(), "sds"))
          .as("field %d", field).isInstanceOf(CorruptStructureException.class);
    }
    Sds crossing = new Sds();
    while (crossing.pos < BLOCK - 100) {
      crossing.add(sd);
    }
    int at = (int) crossing.pos; // an entry that would run into the mirror block
    int length = BLOCK - at + 16;
    byte[] padded = java.util.Arrays.copyOf(sd, length - 20);
    crossing.b.putInt(at, hash(padded)).putInt(at + 4, 0x200).putLong(at + 8, at)
        .putInt(at + 16, length).put(at + 20, padded);
    assertThatThrownBy(() -> SecureStore.parseSds(crossing.b.slice(0, 2 * BLOCK), "sds"))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("crosses the block end");
  }

  /** An index entry of $SII (key: id) or $SDH (key: hash, id) for a header. */
  static byte[] indexEntry(SecureStore.SdsHeader h, boolean sdh, long child) {
    int key = sdh ? 8 : 4;
    int dataOffset = 16 + key;
    int length = (dataOffset + 20 + 7) & ~7;
    if (sdh) {
      length += 8; // Windows pads $SDH data with "II\0\0"-style bytes
    }
    if (child >= 0) {
      length += 8;
    }
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(0, (short) dataOffset).putShort(2, (short) 20).putShort(8, (short) length)
        .putShort(10, (short) key).putShort(12, (short) (child >= 0 ? 1 : 0));
    if (sdh) {
      b.putInt(16, h.hash()).putInt(20, h.securityId());
    } else {
      b.putInt(16, h.securityId());
    }
    b.putInt(dataOffset, h.hash()).putInt(dataOffset + 4, h.securityId())
        .putLong(dataOffset + 8, h.offset()).putInt(dataOffset + 16, h.length());
    if (child >= 0) {
      b.putLong(length - 8, child);
    }
    return b.array();
  }

  static byte[] endEntry(long child) {
    int length = child >= 0 ? 24 : 16;
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(8, (short) length).putShort(12, (short) (2 | (child >= 0 ? 1 : 0)));
    if (child >= 0) {
      b.putLong(16, child);
    }
    return b.array();
  }

  /** A node: header (entries at 16) followed by the entries, at {@code at} of {@code b}. */
  static void node(ByteBuffer b, int at, List<byte[]> entries) {
    node(b, at, 16, entries);
  }

  /** A node: header (entries at {@code first}) and the entries, at {@code at} of {@code b}. */
  static void node(ByteBuffer b, int at, int first, List<byte[]> entries) {
    int used = first;
    for (byte[] e : entries) {
      b.put(at + used, e);
      used += e.length;
    }
    b.putInt(at, first).putInt(at + 4, used).putInt(at + 8, b.limit() - at);
  }

  @Test
  void indexRootAndBlock() throws Exception {
    SecureStore.SdsHeader h1 = new SecureStore.SdsHeader(0x11111111, 0x100, 0, 120);
    SecureStore.SdsHeader h2 = new SecureStore.SdsHeader(0x22222222, 0x101, 128, 100);
    ByteBuffer root = ByteBuffer.allocate(16 + 16 + 200).order(ByteOrder.LITTLE_ENDIAN);
    root.putInt(4, 0x10).putInt(8, 4096).put(12, (byte) 1);
    node(root, 16, List.of(indexEntry(h1, false, -1), indexEntry(h2, false, 7), endEntry(9)));
    SecureStore.IndexNode n = SecureStore.parseIndexRoot(root, "sii", 0);
    assertThat(SecureStore.searchSii(n, 0x100).found()).map(SecureStore.IndexEntry::data)
        .contains(h1);
    assertThat(SecureStore.searchSii(n, 0x101).found()).map(SecureStore.IndexEntry::data)
        .contains(h2);
    assertThat(SecureStore.searchSii(n, 0xff)).isEqualTo(
        new SecureStore.Search(java.util.Optional.empty(), -1));
    assertThat(SecureStore.searchSii(n, 0x102).childVcn()).isEqualTo(9);
    assertThat(SecureStore.searchSii(n, 0x80000000).childVcn()).as("unsigned").isEqualTo(9);
    assertThat(n.entries()).extracting(SecureStore.IndexEntry::data).containsExactly(h1, h2);
    assertThat(n.entries().get(1).childVcn()).isEqualTo(7);
    assertThat(n.endChildVcn()).isEqualTo(9);

    ByteBuffer block = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    block.put(0, "INDX".getBytes()).putShort(4, (short) 0x28).putShort(6, (short) 9);
    node(block, 0x18, 0x28, List.of(indexEntry(h1, true, -1), indexEntry(h2, true, -1),
        endEntry(-1)));
    block.putShort(0x28, (short) 3);
    for (int i = 1; i <= 8; i++) {
      block.putShort(0x28 + 2 * i, block.getShort(i * 512 - 2));
      block.putShort(i * 512 - 2, (short) 3);
    }
    SecureStore.IndexNode sdh = SecureStore.parseIndexBlock(block, "sdh", 0);
    assertThat(sdh.entries()).extracting(SecureStore.IndexEntry::hash)
        .containsExactly(h1.hash(), h2.hash());
    assertThat(sdh.endChildVcn()).isEqualTo(-1);
    block.putShort(1022, (short) 4); // torn write
    assertThatThrownBy(() -> SecureStore.parseIndexBlock(block, "sdh", 0))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void rejectsBadIndexEntries() {
    SecureStore.SdsHeader h = new SecureStore.SdsHeader(1, 0x100, 0, 120);
    int e = 32; // the node header at 16, its first entry 16 bytes further
    for (int[] patch : new int[][] {{e + 16, 0x101}, // key id differs from the data's
        {e + 8, 12}, // length not a multiple of 8
        {e + 8, 8}, // length below the entry header
        {e + 10, 6}, // key length
        {e + 2, 19}, // data length
        {e, 60}, // data offset past the entry
        {16 + 4 + 16, 0}, // node header: used size beyond the node
        {0, 0}}) { // used size ends before the end entry
      ByteBuffer root = ByteBuffer.allocate(16 + 16 + 64).order(ByteOrder.LITTLE_ENDIAN);
      node(root, 16, List.of(indexEntry(h, false, -1), endEntry(-1)));
      if (patch[0] == 0) {
        root.putInt(16 + 4, 16 + 40); // used size ends before the end entry
      } else if (patch[0] == 16 + 4 + 16) {
        root.putInt(16 + 4, 5000);
      } else {
        root.putShort(patch[0], (short) patch[1]);
      }
      assertThatThrownBy(() -> SecureStore.parseIndexRoot(root, "sii", 0))
          .as("patch %d", patch[0]).isInstanceOf(CorruptStructureException.class);
    }
  }
}
