package dev.vdisk.core.partition.internal;

import dev.vdisk.core.CorruptStructureException;

/**
 * A {@link CorruptStructureException} that also keeps its detail sentence apart from the formatted
 * message, so that a reader which tries several copies of a structure (the primary and backup GPT)
 * can combine what was wrong with each into one message.
 */
public final class StructureCorruption extends CorruptStructureException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String detail;

  /**
   * Creates the exception.
   *
   * @param source a description of the device holding the structure
   * @param offset byte offset of the structure on that device, or -1
   * @param structure the structure's name, as its specification names it
   * @param detail what is wrong with it
   */
  public StructureCorruption(String source, long offset, String structure, String detail) {
    super(source, offset, structure, detail);
    this.source = source;
    this.detail = detail;
  }

  /**
   * The same error as a plain {@link CorruptStructureException}, for the public API (its stack
   * trace is this exception's).
   *
   * @return the public exception
   */
  public CorruptStructureException toPublic() {
    CorruptStructureException e = new CorruptStructureException(source, offset(), structure(), detail);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /**
   * What is wrong with the structure, without the source, offset and structure name.
   *
   * @return the detail sentence
   */
  public String detail() {
    return detail;
  }
}
