package dev.vdisk.registry.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * Transaction logs beside a primary hive file ({@code NAME.LOG}, {@code NAME.LOG1},
 * {@code NAME.LOG2}): finding them and replaying them.
 */
public final class HiveLogs {
  private HiveLogs() {}

  /**
   * Reads a primary hive file and, when its sequence numbers differ, replays the valid entries of
   * its newest transaction log into the returned bytes (the files are not changed).
   *
   * @return the base block followed by the hive bins data
   */
  public static ByteBuffer readRecovered(Path primary) throws IOException {
    // Not written yet: the primary as it stands.
    try (SeekableByteChannel ch = java.nio.file.Files.newByteChannel(primary)) {
      return readRecovered(ch, primary.toString(), List.of());
    }
  }

  /**
   * The same as {@link #readRecovered(Path)} for a primary and its logs given as channels (the
   * caller keeps owning them); {@code logs} may be empty.
   */
  public static ByteBuffer readRecovered(SeekableByteChannel primary, String name,
      List<SeekableByteChannel> logs) throws IOException {
    // Not written yet: the primary as it stands.
    HiveFile f = HiveFile.read(primary, name);
    ByteBuffer out = ByteBuffer.allocate(BaseBlock.SIZE + f.baseBlock().hiveBinsDataSize());
    primary.position(0);
    while (out.hasRemaining() && primary.read(out) >= 0) {
      // fill
    }
    return out.flip();
  }
}
