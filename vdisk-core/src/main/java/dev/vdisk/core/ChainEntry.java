package dev.vdisk.core;

import java.nio.file.Path;

/**
 * One image in a differencing chain, from the child that was opened down to its base.
 *
 * @param path the image file
 * @param format the image format's name, as {@link DiskFormat#name()} gives it
 */
public record ChainEntry(Path path, String format) {}
