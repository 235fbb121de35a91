package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.ntfs.internal.AttributeHeader;
import dev.vdisk.ntfs.internal.AttributeListEntry;
import dev.vdisk.ntfs.internal.BootSector;
import dev.vdisk.ntfs.internal.DataRuns;
import dev.vdisk.ntfs.internal.FileName;
import dev.vdisk.ntfs.internal.IndexNode;
import dev.vdisk.ntfs.internal.MftRecord;
import dev.vdisk.ntfs.internal.NtfsVolume;
import dev.vdisk.testdata.FuzzFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Jazzer targets for the NTFS structure parsers: the boot sector, an MFT entry with its fixups,
 * attribute headers and runlists, a runlist alone, an index record, an attribute list, and a whole
 * small volume patched by the input (mounted, walked and read). Only {@link CorruptStructureException} may
 * come out, and what parses must satisfy the bounds the parsers promise.
 *
 * <p>Seeds in {@code NtfsFuzzTestInputs/<target>} come from mkntfs and ntfs-3g ({@code
 * testdata/scripts/make-ntfs-fuzz-seeds.sh}); they run as a regression test in every build, and
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class NtfsFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void bootSector(byte[] input) {
    try {
      BootSector bs = BootSector.parse(ByteBuffer.wrap(Arrays.copyOf(input, 512)), "fuzz", 0);
      assertThat(bs.clusterSize()).isBetween(256, BootSector.MAX_CLUSTER_SIZE);
      assertThat(bs.mftCluster()).isBetween(0L, bs.clusterCount() - 1);
      assertThat(bs.mftRecordSize()).isBetween(bs.bytesPerSector(), 256 * 1024);
      assertThat(bs.backupOffset()).isPositive();
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void mftRecord(byte[] input) {
    int size = input.length >= 4096 ? 4096 : 1024;
    try {
      MftRecord r = MftRecord.parse(ByteBuffer.wrap(Arrays.copyOf(input, size)), "fuzz", 0);
      assertThat(r.usedSize()).isBetween(0x30, size);
      for (AttributeHeader a : r.attributes()) {
        assertThat(a.recordOffset() + (long) a.length()).isLessThanOrEqualTo(r.usedSize());
        if (a.nonResident()) {
          List<DataRuns.Run> runs = r.dataRuns(a, 1L << 20, "fuzz", 0);
          checkRuns(runs, a.firstVcn(), a.lastVcn(), 1L << 20);
        } else {
          assertThat(r.residentValue(a).remaining()).isEqualTo(a.valueLength());
        }
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void dataRuns(byte[] input) {
    if (input.length < 16) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    long lastVcn = b.getLong(0);
    long clusters = b.getLong(8);
    if (lastVcn < -1 || clusters <= 0) {
      return;
    }
    try {
      checkRuns(DataRuns.decode(b.position(16), 0, lastVcn, clusters, "fuzz", 0),
          0, lastVcn, clusters);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void indexRecord(byte[] input) {
    try {
      IndexNode node = IndexNode.parseRecord(ByteBuffer.wrap(Arrays.copyOf(input, 4096)),
          ByteBuffer.wrap(Arrays.copyOf(input, 4096)).order(ByteOrder.LITTLE_ENDIAN)
              .getLong(0x10), "fuzz", 0);
      assertThat(node.entries()).isNotEmpty();
      assertThat(node.entries().get(node.entries().size() - 1).isLast()).isTrue();
      for (IndexNode.Entry e : node.entries()) {
        if (!e.isLast()) {
          FileName.parse(e.key(), "fuzz", 0);
        }
        assertThat(e.childVcn() >= 0).isEqualTo(node.hasChildren());
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "1m")
  void attributeList(byte[] input) {
    try {
      for (AttributeListEntry e : AttributeListEntry.parseAll(ByteBuffer.wrap(input), "fuzz", 0)) {
        assertThat(e.firstVcn()).isNotNegative();
        assertThat(e.name().length()).isLessThanOrEqualTo(255);
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  private static byte[] baseVolume;

  private static synchronized byte[] baseVolume() {
    if (baseVolume == null) {
      try (InputStream in = new GZIPInputStream(
          NtfsFuzzTest.class.getResourceAsStream("fuzz-volume.ntfs.gz"))) {
        baseVolume = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return baseVolume;
  }

  /**
   * The input is a list of patches (offset u32 LE, length u8, bytes) over a small mkntfs volume;
   * the patched volume is mounted, every directory listed and every file and stream read.
   */
  @FuzzTest(maxDuration = "2m")
  void volume(byte[] input) throws IOException {
    byte[] image = FuzzFiles.patched(baseVolume(), ByteBuffer.wrap(input));
    MemoryBlockDevice device = new MemoryBlockDevice(image, false, "fuzz", 512);
    try (NtfsVolume v = NtfsVolume.mount(device, new MountOptions(true, 1 << 20))) {
      Deque<Node> todo = new ArrayDeque<>();
      todo.add(v.root());
      int visited = 0;
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      while (!todo.isEmpty() && visited++ < 2000) {
        Node n = todo.poll();
        try {
          v.attributes(n);
          v.extendedAttributes(n);
          if (n.type() == NodeType.DIRECTORY) {
            for (DirectoryEntry e : v.list(n)) {
              assertThat(e.name()).isNotEmpty();
              todo.add(v.node(e.id()));
              v.lookup(n, e.name());
            }
          } else if (n.type() == NodeType.SYMBOLIC_LINK) {
            v.readSymbolicLink(n);
          } else {
            for (long pos = 0; pos < 1 << 20; pos += buffer.capacity()) {
              buffer.clear();
              if (v.read(n, pos, buffer) < 0) {
                break;
              }
            }
          }
        } catch (VdiskException expected) {
          // a corrupt node: rejected with a typed error, the walk goes on
        }
      }
      v.freeSpace();
    } catch (VdiskException expected) {
      // rejected with a typed error
    }
  }

  private static void checkRuns(List<DataRuns.Run> runs, long firstVcn, long lastVcn,
      long clusters) {
    long vcn = firstVcn;
    for (DataRuns.Run run : runs) {
      assertThat(run.vcn()).isEqualTo(vcn);
      assertThat(run.length()).isPositive();
      if (!run.isSparse()) {
        assertThat(run.lcn()).isBetween(0L, clusters - run.length());
      }
      vcn += run.length();
    }
    assertThat(vcn).isEqualTo(lastVcn + 1);
  }
}
