package dev.vdisk.core.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A mounted file system as a driver exposes it: the small node API that {@link
 * VdiskFileSystemProvider} turns into a {@link java.nio.file.FileSystem}.
 *
 * <p>Reads (every method that does not change the volume) must be safe to call from several
 * threads at once. The change methods have defaults that throw {@link
 * ReadOnlyFileSystemException}, so a read-only driver implements none of them and a writing driver
 * overrides them without breaking read-only ones.
 *
 * <p>A writable volume (one mounted with {@link MountOptions#readOnly()} false, whose {@link
 * #isReadOnly()} is false) gets its changes one at a time: the file system {@link
 * VdiskFileSystemProvider} builds over it holds a lock so that no read runs during a change. The
 * provider checks what the {@code java.nio.file} contract asks before calling a change (the name
 * is free for {@link #create}, a directory is empty for {@link #unlink}, a directory is not moved
 * into itself for {@link #rename}); a driver may check again. Closing that file system calls
 * {@link #flush()}, then {@link #close()}.
 *
 * <p>Names are single path components (no {@code '/'}, never {@code "."} or {@code ".."}).
 */
public interface Volume extends Closeable {

  /**
   * The file system's type, label and UUID.
   *
   * @return the identity
   */
  FileSystemIdentity identity();

  /**
   * The root directory.
   *
   * @return the root
   * @throws IOException if it cannot be read
   */
  Node root() throws IOException;

  /**
   * Opens the node with this id, as {@link DirectoryEntry#id()} names it.
   *
   * @param id the id
   * @return the node
   * @throws IOException if it cannot be read or the id is out of range
   */
  Node node(long id) throws IOException;

  /**
   * Looks a name up in a directory.
   *
   * @param directory a directory node
   * @param name the name
   * @return the node, or empty when the directory has no such name
   * @throws java.nio.file.NotDirectoryException if {@code directory} is not a directory
   * @throws IOException on an I/O error or a corrupt structure
   */
  Optional<Node> lookup(Node directory, String name) throws IOException;

  /**
   * Lists a directory, without {@code "."} and {@code ".."}.
   *
   * @param directory a directory node
   * @return the entries in on-disk order
   * @throws java.nio.file.NotDirectoryException if {@code directory} is not a directory
   * @throws IOException on an I/O error or a corrupt structure
   */
  List<DirectoryEntry> list(Node directory) throws IOException;

  /**
   * Reads file bytes at a position; holes read as zeros.
   *
   * @param file a regular file (or a symbolic link, for its target bytes)
   * @param position the byte offset in the file
   * @param dst where to put the bytes: fills up to {@code dst.remaining()} or the end of the file
   * @return the number of bytes read, or -1 if {@code position} is at or past the end
   * @throws IOException on an I/O error or a corrupt structure
   */
  int read(Node file, long position, ByteBuffer dst) throws IOException;

  /**
   * The node's metadata.
   *
   * @param node the node
   * @return the attributes
   * @throws IOException on an I/O error
   */
  NodeAttributes attributes(Node node) throws IOException;

  /**
   * A symbolic link's target, as stored.
   *
   * @param link a symbolic link node
   * @return the target
   * @throws java.nio.file.NotLinkException if it is not a link
   * @throws IOException on an I/O error
   */
  String readSymbolicLink(Node link) throws IOException;

  /**
   * The node's extended attributes by full name ({@code user.x}, {@code security.selinux},
   * {@code system.posix_acl_access} in the Linux xattr format), empty when the file system has
   * none.
   *
   * @param node the node
   * @return the attributes, in on-disk order
   * @throws IOException on an I/O error
   */
  default Map<String, byte[]> extendedAttributes(Node node) throws IOException {
    return Map.of();
  }

  /**
   * The attribute views this volume supports, beyond {@code "basic"}: {@code "posix"},
   * {@code "unix"}, {@code "owner"}, {@code "dos"}, {@code "user"}, {@code "xattr"}.
   *
   * @return the view names
   */
  default Set<String> attributeViews() {
    return Set.of("basic", "owner", "posix", "unix", "user", "xattr");
  }

  /**
   * The attributes of a view particular to this file system (such as {@code "ntfs"}), read with
   * {@link java.nio.file.Files#readAttributes(java.nio.file.Path, String,
   * java.nio.file.LinkOption...)} as {@code "ntfs:*"}. Only views that {@link #attributeViews()}
   * names and that are not one of the standard ones reach this method.
   *
   * @param view the view's name
   * @param node the node
   * @return the attributes by name
   * @throws IOException on an I/O error
   */
  default Map<String, Object> viewAttributes(String view, Node node) throws IOException {
    throw new UnsupportedOperationException("attribute view " + view + " is not supported");
  }

  /**
   * Whether every change is refused.
   *
   * @return {@code true} for a read-only volume
   */
  boolean isReadOnly();

  /**
   * The volume's size in bytes.
   *
   * @return the total space
   */
  long totalSpace();

  /**
   * Bytes not allocated to anything.
   *
   * @return the free space
   */
  long freeSpace();

  /**
   * The largest file size the file system can hold.
   *
   * @return the size in bytes
   */
  default long maxFileSize() {
    return Long.MAX_VALUE;
  }

  /**
   * Creates a node in a directory.
   *
   * @param directory the directory
   * @param name the new name
   * @param type the type: {@link NodeType#REGULAR_FILE}, {@link NodeType#DIRECTORY}, or a device
   *     node, FIFO or socket where the file system has them (never a symbolic link: see {@link
   *     #createSymbolicLink})
   * @param mode the permission bits ({@code 07777})
   * @return the new node
   * @throws IOException on failure
   */
  default Node create(Node directory, String name, NodeType type, int mode) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Creates a symbolic link.
   *
   * @param directory the directory
   * @param name the link's name
   * @param target the target
   * @return the link
   * @throws IOException on failure
   */
  default Node createSymbolicLink(Node directory, String name, String target) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Adds a hard link to an existing node.
   *
   * @param directory the directory
   * @param name the new name
   * @param existing the node
   * @throws IOException on failure
   */
  default void link(Node directory, String name, Node existing) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Removes a name (a directory must be empty).
   *
   * @param directory the directory
   * @param name the name
   * @throws IOException on failure
   */
  default void unlink(Node directory, String name) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Moves a name, replacing the target name if it exists.
   *
   * @param fromDirectory the source directory
   * @param fromName the source name
   * @param toDirectory the target directory
   * @param toName the target name
   * @throws IOException on failure
   */
  default void rename(Node fromDirectory, String fromName, Node toDirectory, String toName)
      throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Writes file bytes, growing the file as needed.
   *
   * @param file the file
   * @param position where to write
   * @param src the bytes
   * @return the number of bytes written
   * @throws IOException on failure
   */
  default int write(Node file, long position, ByteBuffer src) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Sets a file's size, cutting or extending with zeros.
   *
   * @param file the file
   * @param size the new size
   * @throws IOException on failure
   */
  default void truncate(Node file, long size) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Changes permission bits.
   *
   * @param node the node
   * @param mode the new permission bits ({@code 07777})
   * @throws IOException on failure
   */
  default void setMode(Node node, int mode) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Changes the owner.
   *
   * @param node the node
   * @param uid the user id, or -1 to keep it
   * @param gid the group id, or -1 to keep it
   * @throws IOException on failure
   */
  default void setOwner(Node node, long uid, long gid) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Changes times; a {@code null} time is kept.
   *
   * @param node the node
   * @param lastModified the new mtime, or {@code null}
   * @param lastAccess the new atime, or {@code null}
   * @param creation the new creation time, or {@code null}
   * @throws IOException on failure
   */
  default void setTimes(Node node, FileTime lastModified, FileTime lastAccess, FileTime creation)
      throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Sets an extended attribute, creating it or replacing its value.
   *
   * @param node the node
   * @param fullName the attribute's full name with its namespace prefix ({@code user.comment},
   *     {@code security.selinux}, {@code trusted.x}), as {@link #extendedAttributes} names it
   * @param value the new value (may be empty)
   * @throws ReadOnlyFileSystemException if the volume is read-only (the default)
   * @throws IOException on failure, such as no room for the attribute or an unknown namespace
   */
  default void setExtendedAttribute(Node node, String fullName, byte[] value) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Removes an extended attribute.
   *
   * @param node the node
   * @param fullName the attribute's full name with its namespace prefix
   * @throws ReadOnlyFileSystemException if the volume is read-only (the default)
   * @throws IOException on failure, such as no attribute of that name
   */
  default void removeExtendedAttribute(Node node, String fullName) throws IOException {
    throw new ReadOnlyFileSystemException();
  }

  /**
   * Makes every change durable.
   *
   * @throws IOException on failure
   */
  default void flush() throws IOException {}
}
