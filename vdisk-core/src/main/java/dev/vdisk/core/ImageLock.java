package dev.vdisk.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Advisory locking of image files, so vdisk never writes an image a running VM has open.
 *
 * <p>On Linux this takes a POSIX record lock on the whole file: shared when reading, exclusive when
 * writing. QEMU holds open-file-description locks on bytes of every image it uses, which conflict
 * with an exclusive lock, so a write open of an image that QEMU (or another vdisk) uses is refused
 * with {@link UnsafeToWriteException.Reason#LOCKED}. A read-only open never fails for a lock: it
 * logs that the image is in use and goes on.
 *
 * <p>For {@link DiskFormat} implementations: take the lock right after opening the channel, keep it
 * while the disk is open; closing the channel releases it.
 */
public final class ImageLock {
  private static final Logger LOG = LoggerFactory.getLogger(ImageLock.class);

  private ImageLock() {}

  /**
   * Locks an opened image file.
   *
   * @param file the image, for messages
   * @param channel its channel, opened for reading, and for writing when {@code writable}
   * @param writable whether the image is being opened for writing
   * @return the lock, or {@code null} when none could be taken for a read-only open
   * @throws UnsafeToWriteException if {@code writable} and another process holds a lock
   * @throws IOException on an I/O error
   */
  public static FileLock acquire(Path file, FileChannel channel, boolean writable)
      throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock(0, Long.MAX_VALUE, !writable);
    } catch (OverlappingFileLockException e) {
      // This JVM already holds a lock on the file (for example a parent shared by two chains).
      if (writable) {
        throw new UnsafeToWriteException(file, UnsafeToWriteException.Reason.LOCKED,
            "the image is already open in this process");
      }
      return null;
    } catch (IOException e) {
      // Some file systems (certain network mounts) do not support locks: go on without one.
      LOG.debug("{}: cannot lock ({}); continuing without a lock", file, e.toString());
      return null;
    }
    if (lock == null) {
      if (writable) {
        throw new UnsafeToWriteException(file, UnsafeToWriteException.Reason.LOCKED,
            "another process (a running VM, qemu-img, or another vdisk) has the image open; "
                + "stop it first");
      }
      LOG.warn("{}: image is in use by another process with write access; reading anyway", file);
    }
    return lock;
  }
}
