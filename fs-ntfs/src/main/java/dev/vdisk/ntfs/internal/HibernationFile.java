package dev.vdisk.ntfs.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The state a {@code hiberfil.sys} header tells: Windows hibernated (or shut down with fast
 * startup, which hibernates the kernel) writes {@code hibr} (older versions {@code HIBR}); resuming
 * writes {@code rstr}/{@code RSTR} and a completed resume {@code wake}/{@code WAKE} or zeroes the
 * header. ntfs-3g refuses a read-write mount when the first 4096 bytes start with {@code hibr} or
 * {@code HIBR}, or when the file is shorter than 4096 bytes.
 *
 * @param state what the header says
 * @param signature the first four bytes as Latin-1 text (empty when the file is shorter)
 * @param fileSize the size of {@code hiberfil.sys}
 */
public record HibernationFile(State state, String signature, long fileSize) {
  /** How much of the file the header check reads. */
  public static final int HEADER_SIZE = 4096;

  /** What a {@code hiberfil.sys} header says. */
  public enum State {
    /** Shorter than the header: ntfs-3g takes it for a hibernated non-system partition. */
    TOO_SHORT,
    /** {@code hibr}/{@code HIBR}: hibernated or fast-startup shut down; resumable. */
    HIBERNATED,
    /** {@code rstr}/{@code RSTR}: a resume was started. */
    RESTORING,
    /** {@code wake}/{@code WAKE}: resumed; the image is stale. */
    RESUMED,
    /** Header all zeroes: not hibernated. */
    ZEROED,
    /** Any other content: not a hibernation signature ntfs-3g knows. */
    UNKNOWN
  }

  /**
   * Reads the header.
   *
   * @param header the file's first bytes, position to limit ({@value #HEADER_SIZE} bytes, fewer
   *     only when the file is shorter)
   * @param fileSize the file's size
   * @return the state
   */
  public static HibernationFile parse(ByteBuffer header, long fileSize) {
    ByteBuffer b = header.slice();
    int n = (int) Math.min(b.remaining(), Math.min(HEADER_SIZE, Math.max(fileSize, 0)));
    if (fileSize < HEADER_SIZE || n < HEADER_SIZE) {
      return new HibernationFile(State.TOO_SHORT, "", fileSize);
    }
    byte[] sig = new byte[4];
    b.get(0, sig);
    String s = new String(sig, StandardCharsets.ISO_8859_1);
    State state = switch (s) {
      case "hibr", "HIBR" -> State.HIBERNATED;
      case "rstr", "RSTR" -> State.RESTORING;
      case "wake", "WAKE" -> State.RESUMED;
      default -> allZero(b) ? State.ZEROED : State.UNKNOWN;
    };
    return new HibernationFile(state, s, fileSize);
  }

  private static boolean allZero(ByteBuffer b) {
    for (int i = 0; i < HEADER_SIZE; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** {@return whether ntfs-3g refuses to mount the volume read-write because of this file} */
  public boolean ntfs3gRefusesMount() {
    return state == State.TOO_SHORT || state == State.HIBERNATED;
  }

  /** {@return whether Windows may resume from this file (writing the volume would be lost)} */
  public boolean resumable() {
    return state == State.HIBERNATED || state == State.RESTORING;
  }
}
