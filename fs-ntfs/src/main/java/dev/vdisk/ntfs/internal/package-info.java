/**
 * NTFS on-disk structures, one class per structure and named as libyal's NTFS document names it.
 * Every {@code parse} validates and throws {@link dev.vdisk.core.CorruptStructureException}.
 */
package dev.vdisk.ntfs.internal;
