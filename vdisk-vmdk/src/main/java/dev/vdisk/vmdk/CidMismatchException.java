package dev.vdisk.vmdk;

import dev.vdisk.core.CorruptStructureException;
import java.nio.file.Path;

/**
 * A VMDK delta disk's {@code parentCID} does not match the {@code CID} of the parent found through
 * its {@code parentFileNameHint}: the parent was changed after the delta was made, so reading the
 * chain would mix unrelated data. Open with {@link
 * dev.vdisk.core.OpenOptions#ignoringParentMismatch()} to read it anyway.
 */
public class CidMismatchException extends CorruptStructureException {
  private static final long serialVersionUID = 1L;

  private final long parentCid;
  private final long actualCid;

  /**
   * Creates the exception.
   *
   * @param child the delta disk
   * @param parent the parent found
   * @param parentCid the child's parentCID
   * @param actualCid the parent's CID
   */
  public CidMismatchException(Path child, Path parent, long parentCid, long actualCid) {
    super(child, -1, "VMDK descriptor",
        String.format("parentCID %08x does not match CID %08x of parent %s (the parent was"
            + " changed after this delta was made)", parentCid, actualCid, parent));
    this.parentCid = parentCid;
    this.actualCid = actualCid;
  }

  /**
   * The child's recorded {@code parentCID}.
   *
   * @return the CID
   */
  public long parentCid() {
    return parentCid;
  }

  /**
   * The parent's actual {@code CID}.
   *
   * @return the CID
   */
  public long actualCid() {
    return actualCid;
  }
}
