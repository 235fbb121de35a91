package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Seeded random properties over the committed wimlib vectors (no round trip through an encoder
 * of ours): chunks packed at random offsets into one input and decoded one after the other into
 * one output (as a WIM resource reader does) come out right; damaged chunks (bytes changed, input
 * cut short) either decode or raise {@link CorruptCompressedDataException}, and never write
 * outside their output range. Each run prints its seed.
 */
class DecoderPropertiesTest {
  private static final List<CodecVectors> VECTORS = CodecVectors.COMMITTED.stream()
      .map(CodecVectors::committed).toList();

  @RepeatedTest(10)
  void chunksAtRandomBoundaries() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("DecoderPropertiesTest.chunksAtRandomBoundaries seed " + seed);
    Random random = new Random(seed);
    CodecVectors v = VECTORS.get(random.nextInt(VECTORS.size()));
    List<CodecVectors.Record> picked = new ArrayList<>();
    for (CodecVectors.Record r : v.records()) {
      if (r.compressed().length > 0 && random.nextInt(3) > 0) {
        picked.add(r);
      }
    }
    int srcSize = 0;
    int dstSize = 0;
    int[] srcAt = new int[picked.size()];
    int[] dstAt = new int[picked.size()];
    for (int i = 0; i < picked.size(); i++) {
      srcSize += random.nextInt(5);
      srcAt[i] = srcSize;
      srcSize += picked.get(i).compressed().length;
      dstAt[i] = dstSize;
      dstSize += picked.get(i).raw().length;
    }
    byte[] src = new byte[srcSize + 3];
    random.nextBytes(src);
    for (int i = 0; i < picked.size(); i++) {
      byte[] c = picked.get(i).compressed();
      System.arraycopy(c, 0, src, srcAt[i], c.length);
    }
    byte[] dst = new byte[dstSize];
    for (int i = 0; i < picked.size(); i++) {
      v.decode(src, srcAt[i], picked.get(i).compressed().length, dst, dstAt[i],
          picked.get(i).raw().length);
    }
    for (int i = 0; i < picked.size(); i++) {
      byte[] raw = picked.get(i).raw();
      assertThat(Arrays.copyOfRange(dst, dstAt[i], dstAt[i] + raw.length))
          .as("seed %d, %s chunk %d", seed, v.name(), i).isEqualTo(raw);
    }
  }

  @RepeatedTest(20)
  void damagedChunksFailCleanly() {
    long seed = new Random().nextLong();
    System.out.println("DecoderPropertiesTest.damagedChunksFailCleanly seed " + seed);
    Random random = new Random(seed);
    int failures = 0;
    int runs = 0;
    for (CodecVectors v : VECTORS) {
      for (CodecVectors.Record r : v.records()) {
        if (r.compressed().length == 0) {
          continue;
        }
        byte[] damaged = r.compressed().clone();
        if (random.nextBoolean()) {
          for (int k = 1 + random.nextInt(8); k > 0; k--) {
            damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
          }
        } else {
          damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
        }
        byte[] out = new byte[r.raw().length + 32];
        Arrays.fill(out, (byte) 0x3C);
        try {
          v.decode(damaged, 0, damaged.length, out, 16, r.raw().length);
        } catch (CorruptCompressedDataException expected) {
          assertThat(expected.inputOffset()).isBetween(0L, (long) damaged.length);
          failures++;
        }
        runs++;
        for (int i = 0; i < 16; i++) {
          assertThat(out[i]).as("seed %d: write before the output", seed).isEqualTo((byte) 0x3C);
          assertThat(out[out.length - 1 - i]).as("seed %d: write after the output", seed)
              .isEqualTo((byte) 0x3C);
        }
      }
    }
    // most damage is detected (a change inside a literal run, or a cut in trailing padding, is not)
    assertThat(failures).as("seed %d: detected damage of %d runs", seed, runs)
        .isGreaterThan(runs / 4);
  }

  @RepeatedTest(5)
  void lznt1DamageFailsCleanly() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("DecoderPropertiesTest.lznt1DamageFailsCleanly seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      byte[] src = new byte[2 + random.nextInt(5000)];
      random.nextBytes(src);
      if (random.nextBoolean()) {
        int len = Math.min(src.length - 2, 4096) - 1;
        src[0] = (byte) len;
        src[1] = (byte) (0xB0 | (len >>> 8));
      }
      int dstLen = random.nextInt(70000);
      byte[] out = new byte[dstLen + 16];
      Arrays.fill(out, (byte) 0x3C);
      try {
        int n = Lznt1.decompress(src, 0, src.length, out, 8, dstLen);
        assertThat(n).isBetween(0, dstLen);
      } catch (CorruptCompressedDataException expected) {
        assertThat(expected.inputOffset()).isBetween(0L, (long) src.length);
      }
      for (int i = 0; i < 8; i++) {
        assertThat(out[i]).as("seed %d", seed).isEqualTo((byte) 0x3C);
        assertThat(out[out.length - 1 - i]).as("seed %d", seed).isEqualTo((byte) 0x3C);
      }
    }
  }
}
