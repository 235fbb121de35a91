package dev.vdisk.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few POSIX calls Java cannot make: {@code lseek} with {@code SEEK_DATA}/{@code SEEK_HOLE} to
 * find holes in sparse files, and {@code ioctl(BLKGETSIZE64)} for the size of a block device.
 *
 * <p>Everything here degrades gracefully: where the C library cannot be loaded (not Linux, or a
 * restricted JVM), {@link #isAvailable()} is false and callers fall back to treating every byte as
 * data, or to sysfs for device sizes.
 */
public final class NativeIo {
  private static final Logger LOG = LoggerFactory.getLogger(NativeIo.class);

  /** {@code lseek} whence: next data at or after the offset (Linux, FreeBSD, Solaris). */
  public static final int SEEK_DATA = 3;

  /** {@code lseek} whence: next hole at or after the offset. */
  public static final int SEEK_HOLE = 4;

  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int ENXIO = 6;
  private static final long BLKGETSIZE64 = 0x80081272L;

  /** The libc functions used, bound by jnr-ffi. */
  public interface LibC {
    /**
     * open(2).
     *
     * @param path the path
     * @param flags open flags
     * @return a descriptor or -1
     */
    int open(String path, int flags);

    /**
     * close(2).
     *
     * @param fd the descriptor
     * @return 0 or -1
     */
    int close(int fd);

    /**
     * lseek(2).
     *
     * @param fd the descriptor
     * @param offset the offset
     * @param whence SEEK_*
     * @return the resulting offset or -1
     */
    long lseek(int fd, long offset, int whence);

    /**
     * ioctl(2) with a pointer argument.
     *
     * @param fd the descriptor
     * @param request the request code
     * @param arg the argument
     * @return 0 or -1
     */
    int ioctl(int fd, long request, Pointer arg);
  }

  private static final LibC LIBC = load();

  private NativeIo() {}

  private static LibC load() {
    try {
      Platform platform = Platform.getNativePlatform();
      if (platform.getOS() != Platform.OS.LINUX) {
        LOG.debug("native hole detection disabled: OS is {}", platform.getOS());
        return null;
      }
      return LibraryLoader.create(LibC.class).load(platform.getStandardCLibraryName());
    } catch (Throwable t) { // UnsatisfiedLinkError, SecurityException, missing jffi stub
      LOG.debug("native calls unavailable; every byte of a raw file counts as data", t);
      return null;
    }
  }

  /**
   * Whether the native calls are available.
   *
   * @return {@code true} on Linux with a loadable C library
   */
  public static boolean isAvailable() {
    return LIBC != null;
  }

  /**
   * Opens {@code path} read-only for {@link #seek} queries.
   *
   * @param path the file
   * @return a descriptor, or -1 when native calls are unavailable or the open failed
   */
  public static int openForQueries(Path path) {
    if (LIBC == null) {
      return -1;
    }
    int fd = LIBC.open(path.toAbsolutePath().toString(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      LOG.debug("open({}) for hole queries failed: errno {}", path, lastError());
    }
    return fd;
  }

  /**
   * Closes a descriptor from {@link #openForQueries}.
   *
   * @param fd the descriptor; negative values are ignored
   */
  public static void close(int fd) {
    if (LIBC != null && fd >= 0) {
      LIBC.close(fd);
    }
  }

  /**
   * {@code lseek(fd, offset, whence)} for {@link #SEEK_DATA} or {@link #SEEK_HOLE}.
   *
   * @param fd a descriptor from {@link #openForQueries}
   * @param offset where to start looking
   * @param whence {@link #SEEK_DATA} or {@link #SEEK_HOLE}
   * @return the offset found; {@code -1} if there is no data at or after {@code offset} (ENXIO)
   * @throws IOException if the call fails otherwise (for example EINVAL: not supported here)
   */
  public static long seek(int fd, long offset, int whence) throws IOException {
    long result = LIBC.lseek(fd, offset, whence);
    if (result >= 0) {
      return result;
    }
    int errno = lastError();
    if (errno == ENXIO) {
      return -1;
    }
    throw new IOException("lseek(" + offset + ", " + (whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE")
        + ") failed: errno " + errno);
  }

  /**
   * The size of a block device node, by {@code ioctl(BLKGETSIZE64)} or, failing that, from sysfs.
   *
   * @param device the device node, such as {@code /dev/loop0}
   * @return the size in bytes
   * @throws IOException if neither way works
   */
  public static long blockDeviceSize(Path device) throws IOException {
    if (LIBC != null) {
      int fd = LIBC.open(device.toAbsolutePath().toString(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        try {
          Pointer out = Memory.allocateDirect(Runtime.getRuntime(LIBC), 8);
          if (LIBC.ioctl(fd, BLKGETSIZE64, out) == 0) {
            return out.getLong(0);
          }
          LOG.debug("ioctl(BLKGETSIZE64) on {} failed: errno {}", device, lastError());
        } finally {
          LIBC.close(fd);
        }
      }
    }
    return sysfsSize(device);
  }

  private static long sysfsSize(Path device) throws IOException {
    Path real = device.toRealPath();
    Path sectors = Path.of("/sys/class/block", real.getFileName().toString(), "size");
    if (!Files.isReadable(sectors)) {
      throw new IOException(device + ": cannot determine the block device's size");
    }
    String text = new String(Files.readAllBytes(sectors), StandardCharsets.US_ASCII).trim();
    try {
      return Math.multiplyExact(Long.parseLong(text), 512L);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IOException(device + ": bad size '" + text + "' in " + sectors, e);
    }
  }

  private static int lastError() {
    return Runtime.getRuntime(LIBC).getLastError();
  }
}
