/**
 * Guest inspection: what operating systems a disk image holds, their facts, and what is
 * installed in them, read offline through vdisk's file systems. {@link dev.vdisk.inspect.Inspector}
 * is the entry point.
 */
package dev.vdisk.inspect;
