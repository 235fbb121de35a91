/**
 * ESXi delta extents, read-only: vmfsSparse ({@link dev.vdisk.vmdk.internal.esx.CowdExtent},
 * magic "COWD") and seSparse ({@link dev.vdisk.vmdk.internal.esx.SeSparseExtent}).
 */
package dev.vdisk.vmdk.internal.esx;
