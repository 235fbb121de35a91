package dev.vdisk.ext4.internal;

import java.io.IOException;

/**
 * What maps an inode's logical blocks to physical blocks, for the file data editor: an extent
 * tree ({@link ExtentTree}) or the classic indirect block map ({@link BlockMapTree}). Changes go
 * to the inode's bytes and to metadata blocks of the running transaction; the caller stores the
 * inode.
 */
interface BlockMapping {
  /**
   * What lies at a logical block: a mapped run starting at it, or a hole up to the next mapped
   * block.
   *
   * @param start the logical block asked for
   * @param physical the physical block at {@code start}, or -1 for a hole
   * @param length how many blocks from {@code start} share that state (for a hole: up to the
   *     next mapped block, {@link Long#MAX_VALUE} when none follows)
   * @param uninit whether the run is an unwritten extent (reads as zeros)
   */
  record Run(long start, long physical, long length, boolean uninit) {
    /** @return whether the run is a hole */
    boolean hole() {
      return physical < 0;
    }
  }

  /**
   * @param logical a logical block
   * @return the run at it
   * @throws IOException on a corrupt map or an I/O error
   */
  Run lookup(long logical) throws IOException;

  /**
   * Maps a run of physical blocks at logical blocks that are a hole, merging with a neighbour
   * where the map can.
   *
   * @param logical the first logical block
   * @param physical the first physical block
   * @param length how many (1 to 32768)
   * @throws IOException when no space is left for map blocks, or on an I/O error
   */
  void insert(long logical, long physical, int length) throws IOException;

  /**
   * Marks part of an unwritten extent as written (a map without unwritten extents never calls
   * this).
   *
   * @param logical the first logical block (inside one unwritten extent)
   * @param length how many blocks (not past that extent's end)
   * @throws IOException on an I/O error
   */
  void markInitialized(long logical, long length) throws IOException;

  /**
   * Unmaps every block at or after a logical block, freeing the data blocks and the map blocks
   * left empty.
   *
   * @param from the first logical block to free
   * @throws IOException on a corrupt map or an I/O error
   */
  void truncate(long from) throws IOException;

  /**
   * A good physical goal for new data at a logical block (after the mapped block before it).
   *
   * @param logical the logical block
   * @return the goal, or -1 for no preference
   * @throws IOException on an I/O error
   */
  long goal(long logical) throws IOException;

  /** @return one more than the highest logical block this map can hold */
  long limit();
}
