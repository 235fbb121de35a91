package dev.vdisk.ntfs.internal;

import java.util.List;

/**
 * A file's MFT entries assembled: the base entry and, through its {@code $ATTRIBUTE_LIST}, the
 * attributes held in extension entries.
 *
 * @param record the base entry's record number
 * @param base the base entry
 * @param attributes every attribute of the file, in attribute-list (or entry) order
 */
public record NtfsFile(long record, MftRecord base, List<Attr> attributes) {

  /**
   * One attribute and the entry holding it.
   *
   * @param owner the MFT entry holding the attribute
   * @param ownerRecord that entry's record number
   * @param ownerOffset that entry's byte offset on the device (or -1)
   * @param header the attribute's header
   */
  public record Attr(MftRecord owner, long ownerRecord, long ownerOffset, AttributeHeader header) {}

  /**
   * The first attribute of a type with a name.
   *
   * @param type the attribute type
   * @param name the name ({@code ""} for unnamed)
   * @return the attribute, or {@code null}
   */
  public Attr find(int type, String name) {
    for (Attr a : attributes) {
      if (a.header().type() == type && a.header().name().equals(name)) {
        return a;
      }
    }
    return null;
  }

  /**
   * Whether the base entry has the directory flag (an {@code $I30} index).
   *
   * @return the flag
   */
  public boolean isDirectory() {
    return base.isDirectory();
  }
}
