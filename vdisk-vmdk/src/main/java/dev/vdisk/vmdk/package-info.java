/**
 * VMware VMDK images: {@link dev.vdisk.vmdk.VmdkFormat} (registered as the {@code vmdk}
 * {@link dev.vdisk.core.DiskFormat}) and {@link dev.vdisk.vmdk.VmdkDisk}.
 *
 * <p>Read: monolithicSparse, monolithicFlat, twoGbMaxExtentSparse, twoGbMaxExtentFlat, vmfs (flat
 * and ZERO extents), streamOptimized, and ESXi deltas (vmfsSparse/COWD, seSparse) through their
 * descriptors; delta chains through {@code parentFileNameHint}, with {@code parentCID} checked
 * against the parent's {@code CID} ({@link dev.vdisk.vmdk.CidMismatchException}, unless opened
 * with {@link dev.vdisk.core.OpenOptions#ignoringParentMismatch()}). Raw device mappings
 * (VMFSRDM, VMFSRAW) and NOACCESS extents are refused with {@link
 * dev.vdisk.core.UnsupportedFeatureException}.
 *
 * <p>Write: hosted sparse and flat extents. Choices made:
 *
 * <ul>
 *   <li>A grain is allocated at the end of the file: its data is written and flushed, then the
 *       grain table entry, flushed, then the redundant grain table entry. A crash leaves at worst
 *       a leaked grain (reported by {@code check} as a leak) or a stale redundant entry (a
 *       warning). A whole grain of zeros written where the disk already reads zeros (no parent,
 *       or a zeroed-grain entry) stores nothing.
 *   <li>The first write sets {@code uncleanShutdown} in every sparse extent header and gives the
 *       descriptor a new random {@code CID}; a clean close clears {@code uncleanShutdown}.
 *   <li>An image found with {@code uncleanShutdown} set reads normally; opening it for writing
 *       first checks its grain tables, and refuses ({@link dev.vdisk.core.UnsafeToWriteException},
 *       reason DIRTY) if any entry points outside the file or into the metadata.
 *   <li>When a grain directory or grain table points outside the file, the redundant copy is
 *       used, the fact logged, listed in {@link dev.vdisk.vmdk.VmdkDisk#warnings()} and reported
 *       by {@code check}.
 *   <li>Changed-block tracking ({@code changeTrackPath} in the descriptor): read normally,
 *       writing refused (reason UNSUPPORTED_FEATURE), since the tracking file would go stale; the
 *       same for version 3 hosted sparse extents (which VMware writes with tracking; qemu
 *       also refuses to write them).
 *   <li>streamOptimized images are written once, by conversion (writes at increasing offsets),
 *       and finished when the disk is closed; existing ones, and ESXi deltas, are read-only.
 * </ul>
 */
package dev.vdisk.vmdk;
