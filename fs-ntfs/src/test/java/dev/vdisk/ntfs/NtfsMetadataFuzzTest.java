package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.HibernationFile;
import dev.vdisk.ntfs.internal.InterixFile;
import dev.vdisk.ntfs.internal.LogFileState;
import dev.vdisk.ntfs.internal.ReparsePoint;
import dev.vdisk.ntfs.internal.SecureStore;
import dev.vdisk.ntfs.internal.SecurityDescriptor;
import dev.vdisk.ntfs.internal.Sid;
import dev.vdisk.ntfs.internal.VolumeInformation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer targets for the NTFS metadata parsers: security descriptors (and their SDDL), the
 * $Secure streams and indexes, reparse points (and target translation), Interix special files,
 * $VOLUME_INFORMATION, $LogFile restart pages and hiberfil.sys headers. Only {@link
 * CorruptStructureException} may come out, and what parses must satisfy the bounds the parsers
 * promise.
 *
 * <p>Seeds in {@code NtfsMetadataFuzzTestInputs/<target>} come from mkntfs and ntfs-3g ({@code
 * testdata/scripts/make-ntfs-metadata-fuzz-seeds.sh}); they run as a regression test in every
 * build, and {@code JAZZER_FUZZ=1} fuzzes.
 */
class NtfsMetadataFuzzTest {
  private static final Sid DOMAIN = Sid.of("S-1-5-21-1-2-3");

  @FuzzTest(maxDuration = "2m")
  void securityDescriptor(byte[] input) {
    try {
      SecurityDescriptor sd = SecurityDescriptor.parse(ByteBuffer.wrap(input), "fuzz", 0);
      for (SecurityDescriptor.Acl acl : sd.dacl().stream().toList()) {
        assertThat(acl.size()).isLessThanOrEqualTo(input.length);
        assertThat(acl.aces().stream().mapToInt(SecurityDescriptor.Ace::size).sum())
            .isLessThanOrEqualTo(acl.size() - 8);
      }
      assertThat(sd.toSddl()).isNotNull();
      assertThat(sd.toSddl(DOMAIN).length()).isLessThanOrEqualTo(sd.toSddl().length());
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void secureStore(byte[] input) {
    if (input.length < 1) {
      return;
    }
    ByteBuffer rest = ByteBuffer.wrap(input, 1, input.length - 1).slice();
    try {
      switch (input[0] % 3) {
        case 0 -> {
          List<SecureStore.SdsEntry> entries = SecureStore.parseSds(rest, "fuzz");
          assertThat(SecureStore.mirrorMismatches(rest, entries).size())
              .isLessThanOrEqualTo(entries.size());
          for (SecureStore.SdsEntry e : entries) {
            assertThat(e.header().offset() + e.header().length())
                .isLessThanOrEqualTo(rest.limit());
            assertThat(SecureStore.hash(e.raw())).isEqualTo(e.header().hash());
            SecureStore.SdsEntry again = SecureStore.lookup(e.header(),
                (offset, length) -> rest.slice((int) offset, length), "fuzz");
            assertThat(again.header()).isEqualTo(e.header());
          }
        }
        case 1 -> {
          SecureStore.IndexNode node = SecureStore.parseIndexRoot(rest, "fuzz", 0);
          for (SecureStore.IndexEntry e : node.entries()) {
            SecureStore.Search found = SecureStore.searchSii(node, e.securityId());
            assertThat(found.found().isPresent() || found.childVcn() >= -1).isTrue();
          }
          assertThat(SecureStore.searchSii(node, -1).childVcn()).isGreaterThanOrEqualTo(-1);
        }
        default -> {
          int size = rest.limit() >= 4096 ? 4096 : 1024;
          ByteBuffer block = ByteBuffer.wrap(Arrays.copyOf(input, size));
          SecureStore.parseIndexBlock(block, "fuzz", 0);
        }
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    } catch (java.io.IOException impossible) {
      throw new AssertionError(impossible);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void reparsePoint(byte[] input) {
    try {
      ReparsePoint rp = ReparsePoint.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(rp.data().remaining()).isEqualTo(input.length - 8);
      if (rp.content() instanceof ReparsePoint.Link link) {
        for (Character drive : new Character[] {null, 'C'}) {
          ReparsePoint.Target t = ReparsePoint.translateTarget(link, drive, p -> p.length() % 2
              == 0);
          assertThat(t.path()).isNotNull();
          if (t.kind() == ReparsePoint.TargetKind.VOLUME) {
            assertThat(t.path()).startsWith("/");
          }
        }
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void interixFile(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int attributes = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    ByteBuffer data = ByteBuffer.wrap(input, 4, input.length - 4).slice();
    try {
      InterixFile f = InterixFile.parse(attributes, data, data.remaining(), "fuzz", 0);
      assertThat(f.target().length()).isLessThanOrEqualTo(InterixFile.MAX_TARGET_CHARS);
      // a shorter buffer than the size says is rejected, never read past
      InterixFile.parse(attributes, data, data.remaining() + 1L, "fuzz", 0);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void volumeInformation(byte[] input) {
    try {
      VolumeInformation v = VolumeInformation.parse(ByteBuffer.wrap(input), "fuzz", 0);
      assertThat(v.flagNames().size()).isLessThanOrEqualTo(9);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void logFile(byte[] input) {
    try {
      LogFileState s = LogFileState.parse(ByteBuffer.wrap(input), "fuzz", 0);
      s.clean();
      s.ntfs3gRefusesMount();
      s.page().ifPresent(p -> assertThat(p.offset() + p.systemPageSize())
          .isLessThanOrEqualTo(input.length));
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void hibernationFile(byte[] input) {
    if (input.length < 8) {
      return;
    }
    long size = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    byte[] header = Arrays.copyOfRange(input, 8, input.length);
    // the header as read: the input padded with zeroes up to the size (at most 4 KiB)
    byte[] full = Arrays.copyOf(header, (int) Math.min(Math.max(size, 0),
        HibernationFile.HEADER_SIZE));
    HibernationFile h = HibernationFile.parse(ByteBuffer.wrap(full), size);
    assertThat(h.fileSize()).isEqualTo(size);
    if (h.state() == HibernationFile.State.HIBERNATED) {
      assertThat(h.ntfs3gRefusesMount()).isTrue();
    }
  }
}
