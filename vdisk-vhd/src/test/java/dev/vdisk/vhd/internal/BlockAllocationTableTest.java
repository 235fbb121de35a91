package dev.vdisk.vhd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlockAllocationTableTest {

  @Test
  void roundTripAndPadding() {
    BlockAllocationTable bat = BlockAllocationTable.empty(3);
    bat.set(1, 0x1234);
    ByteBuffer buffer = ByteBuffer.allocate((int) BlockAllocationTable.sizeOnDisk(3));
    bat.writeTo(buffer);
    assertThat(buffer.position()).isEqualTo(512);
    assertThat(buffer.getInt(4)).isEqualTo(0x1234);
    assertThat(buffer.getInt(508)).isEqualTo(-1);
    BlockAllocationTable parsed = BlockAllocationTable.parse(buffer.flip(), 3);
    assertThat(parsed.sector(0)).isEqualTo(-1);
    assertThat(parsed.sector(1)).isEqualTo(0x1234);
    assertThat(BlockAllocationTable.sizeOnDisk(128)).isEqualTo(512);
    assertThat(BlockAllocationTable.sizeOnDisk(129)).isEqualTo(1024);
  }

  @Test
  void layoutFindsPastEndMetadataAndOverlaps() {
    BlockAllocationTable bat = BlockAllocationTable.empty(5);
    long blockSize = 4096;
    bat.set(0, 4); // 2048: fine, ends 2048 + 512 + 4096 = 6656
    bat.set(1, 10); // 5120: overlaps block 0
    bat.set(2, 1); // 512: overlaps the header
    bat.set(3, 1000); // past the end
    List<BlockLayout.Region> metadata = List.of(new BlockLayout.Region(0, 512, "footer copy"),
        new BlockLayout.Region(512, 1536, "dynamic disk header"));
    Map<Integer, String> bad =
        BlockLayout.badBlocks(bat, blockSize, 512, 5 * blockSize, 20000, metadata);
    assertThat(bad.keySet()).containsExactly(0, 1, 2, 3);
    assertThat(bad.get(1)).contains("overlaps block 0");
    assertThat(bad.get(2)).contains("dynamic disk header");
    assertThat(bad.get(3)).contains("past the end");
  }

  @Test
  void lastBlockMayBeUsedOnlyPartly() {
    assertThat(BlockLayout.usedLength(2, 4096, 2 * 4096 + 1000)).isEqualTo(1024);
    assertThat(BlockLayout.usedLength(0, 4096, 2 * 4096 + 1000)).isEqualTo(4096);
  }
}
