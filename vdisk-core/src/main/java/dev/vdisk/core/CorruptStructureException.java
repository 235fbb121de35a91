package dev.vdisk.core;

import java.nio.file.Path;

/**
 * An on-disk structure failed validation: a bad signature, checksum, length or reference.
 *
 * <p>The message names the file, the byte offset of the structure, and the structure as its
 * specification names it (for example {@code "GPT header"} or {@code "VHDX region table"}).
 */
public class CorruptStructureException extends VdiskException {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final String structure;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param file the image or file holding the structure, or {@code null} if unknown
   * @param offset byte offset of the structure within {@code file} (or the device read), or -1
   * @param structure the structure's name, as its specification names it
   * @param detail what is wrong with it
   */
  public CorruptStructureException(Path file, long offset, String structure, String detail) {
    super(file, format(file, offset, structure, detail));
    this.offset = offset;
    this.structure = structure;
    this.detail = detail;
  }

  /**
   * Creates the exception for a structure on a device that is not a file of its own (a partition,
   * a virtual disk's contents).
   *
   * @param source a description of the device, such as {@link BlockDevice#description()}
   * @param offset byte offset of the structure on that device, or -1
   * @param structure the structure's name, as its specification names it
   * @param detail what is wrong with it
   */
  public CorruptStructureException(String source, long offset, String structure, String detail) {
    super(null, format(source, offset, structure, detail));
    this.offset = offset;
    this.structure = structure;
    this.detail = detail;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param file the image or file holding the structure, or {@code null} if unknown
   * @param offset byte offset of the structure, or -1
   * @param structure the structure's name
   * @param detail what is wrong with it
   * @param cause the underlying failure
   */
  public CorruptStructureException(
      Path file, long offset, String structure, String detail, Throwable cause) {
    super(file, format(file, offset, structure, detail), cause);
    this.offset = offset;
    this.structure = structure;
    this.detail = detail;
  }

  /**
   * Byte offset of the structure, or -1 when unknown.
   *
   * @return the offset
   */
  public long offset() {
    return offset;
  }

  /**
   * The structure's name, as its specification names it.
   *
   * @return the name
   */
  public String structure() {
    return structure;
  }

  /**
   * What is wrong with the structure, without the file, offset and structure name.
   *
   * @return the detail
   */
  public String detail() {
    return detail;
  }

  private static String format(Path file, long offset, String structure, String detail) {
    return format(file == null ? null : file.toString(), offset, structure, detail);
  }

  private static String format(String source, long offset, String structure, String detail) {
    StringBuilder sb = new StringBuilder();
    sb.append(source == null ? "<device>" : source);
    if (offset >= 0) {
      sb.append(": offset ").append(offset).append(String.format(" (0x%x)", offset));
    }
    sb.append(": corrupt ").append(structure).append(": ").append(detail);
    return sb.toString();
  }
}
