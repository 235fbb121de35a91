/**
 * Windows registry hives (regf): {@link dev.vdisk.registry.Hive} opens a hive file read-only,
 * {@link dev.vdisk.registry.RegistryKey} and {@link dev.vdisk.registry.RegistryValue} walk it, and
 * {@link dev.vdisk.registry.RegExport} prints {@code .reg} text the way {@code hivexregedit
 * --export} does.
 */
package dev.vdisk.registry;
