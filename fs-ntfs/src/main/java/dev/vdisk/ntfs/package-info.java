/**
 * NTFS file system. This first slice holds only the on-disk structure layer in {@code
 * dev.vdisk.ntfs.internal} (boot sector, update sequence arrays, MFT records, attribute headers,
 * runlists); the driver that registers with the file-system SPI comes next.
 */
package dev.vdisk.ntfs;
