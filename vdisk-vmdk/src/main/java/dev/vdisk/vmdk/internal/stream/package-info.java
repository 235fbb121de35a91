/**
 * VMDK streamOptimized extents: {@link dev.vdisk.vmdk.internal.stream.StreamOptimizedExtent}
 * reads them (deflate-compressed grains behind grain markers, the grain directory found through
 * the footer, or rebuilt from the markers when the footer is unusable) and {@link
 * dev.vdisk.vmdk.internal.stream.StreamOptimizedWriter} writes them once, sequentially, in the
 * layout VMware's tools write.
 */
package dev.vdisk.vmdk.internal.stream;
