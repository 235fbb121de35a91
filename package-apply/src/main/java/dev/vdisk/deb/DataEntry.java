package dev.vdisk.deb;

import java.time.Instant;

/**
 * One member of a package's data archive.
 *
 * @param path the path inside the guest, absolute, normalised ({@code ./usr/bin/x} becomes {@code
 *     /usr/bin/x}; directories without a trailing slash)
 * @param type the kind of entry
 * @param mode the permission bits including set-id and sticky bits (no file-type bits)
 * @param uid the numeric owner in the archive
 * @param gid the numeric group in the archive
 * @param userName the owner's name in the archive ({@code ""} when absent), mapped through the
 *     guest's {@code /etc/passwd} when installing
 * @param groupName the group's name ({@code ""} when absent)
 * @param mtime the modification time
 * @param size the size of a regular file's content
 * @param linkTarget a symbolic link's target, or a hard link's guest path; {@code null} otherwise
 * @param device the device number of a character or block device, else 0
 */
public record DataEntry(String path, Type type, int mode, int uid, int gid, String userName,
    String groupName, Instant mtime, long size, String linkTarget, long device) {
  /** Kinds of entries. */
  public enum Type {
    /** A regular file. */
    FILE,
    /** A directory. */
    DIRECTORY,
    /** A symbolic link. */
    SYMLINK,
    /** A hard link to an earlier entry. */
    HARDLINK,
    /** A character device. */
    CHAR_DEVICE,
    /** A block device. */
    BLOCK_DEVICE,
    /** A named pipe. */
    FIFO
  }
}
