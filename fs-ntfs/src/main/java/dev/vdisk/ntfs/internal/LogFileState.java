package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The state of {@code $LogFile} (MFT entry 2) as its two restart pages tell it: the restart page
 * header ({@code RSTR}, or {@code CHKD} after chkdsk), the restart area with its flags and client
 * list, and the first client record ("NTFS"). The volume was cleanly unmounted when the restart
 * area says {@link #RESTART_VOLUME_IS_CLEAN} or no client is in use, or when the log is empty (all
 * {@code 0xff}, as ntfs-3g and mkntfs leave it) — the rule ntfs-3g applies before it mounts
 * read-write.
 *
 * @param empty whether the log is empty (the first page all {@code 0xff})
 * @param page the restart page used (the valid one with the higher current LSN), if not empty
 * @param secondPageValid whether both restart pages were valid
 */
public record LogFileState(boolean empty, Optional<RestartPage> page, boolean secondPageValid) {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$LogFile restart page";

  /** Restart area flag: the volume was cleanly unmounted. */
  public static final int RESTART_VOLUME_IS_CLEAN = 0x0002;

  /** The client list end marker. */
  public static final int LOGFILE_NO_CLIENT = 0xffff;

  /**
   * A restart page with its restart area.
   *
   * @param magic {@code RSTR} or {@code CHKD}
   * @param offset the page's offset in {@code $LogFile}
   * @param chkdskLsn the chkdsk LSN ({@code CHKD} pages)
   * @param systemPageSize the system page size (the second restart page lies there)
   * @param logPageSize the log page size
   * @param majorVersion the log format major version (1 or 2)
   * @param minorVersion the log format minor version
   * @param currentLsn the restart area's current LSN
   * @param logClients the number of client records
   * @param clientFreeList the first free client, or {@link #LOGFILE_NO_CLIENT}
   * @param clientInUseList the first client in use, or {@link #LOGFILE_NO_CLIENT}
   * @param flags the restart area flags ({@link #RESTART_VOLUME_IS_CLEAN})
   * @param fileSize the log's size as the restart area records it
   * @param clientName the first client record's name ("NTFS"), if there is a client record
   */
  public record RestartPage(String magic, long offset, long chkdskLsn, int systemPageSize,
      int logPageSize, int majorVersion, int minorVersion, long currentLsn, int logClients,
      int clientFreeList, int clientInUseList, int flags, long fileSize,
      Optional<String> clientName) {}

  /**
   * Parses the beginning of {@code $LogFile}.
   *
   * @param log the first bytes of {@code $LogFile}: both restart pages (at least twice the
   *     system page size, 8 KiB with 4 KiB pages), position to limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the log's start on {@code source}, for error messages
   * @return the state
   * @throws CorruptStructureException if the log is not empty and neither restart page is valid
   */
  public static LogFileState parse(ByteBuffer log, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(log.slice());
    Bytes.require(b, 0, 512, source, offset, STRUCTURE);
    if (allFf(b, Math.min(b.limit(), 4096))) {
      return new LogFileState(true, Optional.empty(), false);
    }
    RestartPage first = null;
    CorruptStructureException firstError = null;
    try {
      first = page(b, 0, source, offset);
    } catch (CorruptStructureException e) {
      firstError = e;
    }
    int second = first != null ? first.systemPageSize() : 4096;
    RestartPage other = null;
    if (second <= b.limit() - 512) {
      try {
        other = page(b, second, source, offset);
      } catch (CorruptStructureException ignored) {
        // the second copy is optional
      }
    }
    if (first == null && other == null) {
      throw firstError;
    }
    RestartPage use = first == null ? other
        : other != null && Long.compareUnsigned(other.currentLsn(), first.currentLsn()) > 0
            ? other : first;
    return new LogFileState(false, Optional.of(use), first != null && other != null);
  }

  private static boolean allFf(ByteBuffer b, int n) {
    for (int i = 0; i < n; i++) {
      if (b.get(i) != (byte) 0xff) {
        return false;
      }
    }
    return true;
  }

  private static RestartPage page(ByteBuffer log, int at, String source, long base)
      throws CorruptStructureException {
    long offset = base + at;
    Bytes.require(log, at, 0x30, source, base, STRUCTURE);
    String magic = new String(new byte[] {log.get(at), log.get(at + 1), log.get(at + 2),
        log.get(at + 3)}, StandardCharsets.ISO_8859_1);
    if (!magic.equals("RSTR") && !magic.equals("CHKD")) {
      throw corrupt(source, offset, "no \"RSTR\" or \"CHKD\" signature");
    }
    int systemPageSize = log.getInt(at + 0x10);
    int logPageSize = log.getInt(at + 0x14);
    if (systemPageSize < 512 || systemPageSize > 65536 || Integer.bitCount(systemPageSize) != 1
        || logPageSize < 512 || logPageSize > 65536 || Integer.bitCount(logPageSize) != 1) {
      throw corrupt(source, offset, "page sizes " + systemPageSize + "/" + logPageSize
          + " are not powers of two from 512 to 65536");
    }
    if (at != 0 && at != systemPageSize) {
      throw corrupt(source, offset, "second restart page is not at the system page size");
    }
    Bytes.require(log, at, systemPageSize, source, base, STRUCTURE);
    ByteBuffer p = ByteBuffer.allocate(systemPageSize);
    p.put(log.slice(at, systemPageSize)).flip();
    p = Bytes.le(p);
    int major = p.getShort(0x1c);
    int minor = p.getShort(0x1a);
    if (!(major == 1 && minor == 1) && !(major == 2 && minor == 0)) {
      throw corrupt(source, offset, "log version " + major + "." + minor
          + " is neither 1.1 nor 2.0");
    }
    Fixups.apply(p, source, offset, STRUCTURE);
    int ra = p.getShort(0x18) & 0xffff;
    int usaEnd = (p.getShort(4) & 0xffff) + 2 * (p.getShort(6) & 0xffff);
    if ((ra & 7) != 0 || ra < usaEnd || ra > systemPageSize - 0x30) {
      throw corrupt(source, offset, "restart area offset " + ra + " is invalid");
    }
    long currentLsn = p.getLong(ra);
    int logClients = p.getShort(ra + 0x08) & 0xffff;
    int freeList = p.getShort(ra + 0x0a) & 0xffff;
    int inUse = p.getShort(ra + 0x0c) & 0xffff;
    int flags = p.getShort(ra + 0x0e) & 0xffff;
    int raLength = p.getShort(ra + 0x14) & 0xffff;
    int clientArray = p.getShort(ra + 0x16) & 0xffff;
    long fileSize = p.getLong(ra + 0x18);
    if (ra + raLength > systemPageSize || (clientArray & 7) != 0 || clientArray < 0x30
        || ra + clientArray + (long) logClients * 0xa0 > ra + raLength) {
      throw corrupt(source, offset, "restart area (" + raLength + " bytes, " + logClients
          + " clients at " + clientArray + ") does not fit the page");
    }
    if (freeList != LOGFILE_NO_CLIENT && freeList >= logClients
        || inUse != LOGFILE_NO_CLIENT && inUse >= logClients) {
      throw corrupt(source, offset, "client list head lies beyond the " + logClients
          + " clients");
    }
    Optional<String> name = Optional.empty();
    if (logClients > 0) {
      int c = ra + clientArray;
      int nameLength = p.getInt(c + 0x1c);
      if (nameLength < 0 || nameLength > 128 || (nameLength & 1) != 0) {
        throw corrupt(source, offset, "client name length " + nameLength + " is invalid");
      }
      byte[] n = new byte[nameLength];
      p.get(c + 0x20, n);
      name = Optional.of(new String(n, StandardCharsets.UTF_16LE));
    }
    return new RestartPage(magic, at, p.getLong(0x08), systemPageSize, logPageSize, major, minor,
        currentLsn, logClients, freeList, inUse, flags, fileSize, name);
  }

  /**
   * {@return whether the volume was cleanly unmounted: the log is empty, or the restart area is
   * flagged clean or has no client in use (ntfs-3g's test)}
   */
  public boolean clean() {
    if (empty) {
      return true;
    }
    RestartPage p = page.orElseThrow();
    return p.clientInUseList() == LOGFILE_NO_CLIENT
        || (p.flags() & RESTART_VOLUME_IS_CLEAN) != 0;
  }

  /**
   * {@return whether ntfs-3g refuses a read-write mount because of the log: a version 2.0 restart
   * page (Windows 8 and later, whose fast restart may keep metadata cached), clean or not; an
   * unclean 1.1 log ntfs-3g resets and mounts}
   */
  public boolean ntfs3gRefusesMount() {
    return page.map(p -> p.majorVersion() == 2).orElse(false);
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }
}
