package dev.vdisk.ntfs.internal;

import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;

/** The bridge to the decompressors of {@code vdisk-codecs}. */
final class Compression {
  private Compression() {}

  static void lznt1(byte[] src, int srcLength, byte[] dst, String description, long unit)
      throws IOException {
    throw new UnsupportedFeatureException(null, "LZNT1", description
        + ": LZNT1 compressed data cannot be read yet");
  }

  static AttributeStream wof(NtfsVolume volume, NtfsFile file) throws IOException {
    throw new UnsupportedFeatureException(null, "WOF", "MFT " + file.record()
        + ": WOF (system) compressed data cannot be read yet");
  }
}
