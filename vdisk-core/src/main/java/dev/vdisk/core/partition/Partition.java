package dev.vdisk.core.partition;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * One partition of a {@link PartitionTable}: a window onto the underlying device that reads and
 * writes only inside the partition's byte range.
 *
 * <p>Offsets given to {@link #read}, {@link #write} and {@link #allocation} are relative to the
 * partition's start; ranges that leave the partition are rejected with {@link
 * java.io.EOFException}. Closing a partition does not close the underlying device.
 */
public final class Partition implements BlockDevice {
  private final BlockDevice device;
  private final int index;
  private final long firstSector;
  private final long sectorCount;
  private final int sectorSize;
  private final long start;
  private final long size;
  private final PartitionType type;
  private final String name;
  private final String uuid;
  private final boolean bootable;
  private final long attributes;
  private final boolean extended;

  Partition(
      BlockDevice device,
      int index,
      long firstSector,
      long sectorCount,
      int sectorSize,
      PartitionType type,
      String name,
      String uuid,
      boolean bootable,
      long attributes,
      boolean extended) {
    this.device = Objects.requireNonNull(device, "device");
    this.index = index;
    this.firstSector = firstSector;
    this.sectorCount = sectorCount;
    this.sectorSize = sectorSize;
    this.start = Math.multiplyExact(firstSector, (long) sectorSize);
    this.size = Math.multiplyExact(sectorCount, (long) sectorSize);
    if (firstSector < 0 || sectorCount < 0 || start > device.size() || size > device.size() - start) {
      throw new IllegalArgumentException("partition " + index + " is outside " + device.description());
    }
    this.type = Objects.requireNonNull(type, "type");
    this.name = Objects.requireNonNull(name, "name");
    this.uuid = uuid;
    this.bootable = bootable;
    this.attributes = attributes;
    this.extended = extended;
  }

  /**
   * The partition's number: for MBR 1-4 for the primary slots and 5, 6, ... for logical
   * partitions in EBR-chain order (as Linux and sfdisk number them); for GPT the entry slot + 1.
   *
   * @return the index, at least 1
   */
  public int index() {
    return index;
  }

  /**
   * The byte offset of the partition on the underlying device.
   *
   * @return the offset
   */
  public long start() {
    return start;
  }

  /**
   * The partition's size in bytes.
   *
   * @return the size
   */
  @Override
  public long size() {
    return size;
  }

  /**
   * The first sector, in units of the table's sector size.
   *
   * @return the sector number
   */
  public long firstSector() {
    return firstSector;
  }

  /**
   * The number of sectors, in units of the table's sector size.
   *
   * @return the sector count
   */
  public long sectorCount() {
    return sectorCount;
  }

  /**
   * The partition type the table records.
   *
   * @return the type
   */
  public PartitionType type() {
    return type;
  }

  /**
   * The GPT partition name (up to its first NUL); {@code ""} for MBR partitions.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The partition's unique id: for GPT the unique partition GUID in upper case; for MBR the Linux
   * PARTUUID form {@code "1a2b3c4d-05"} (the disk signature in lower-case hex, a dash, and the
   * index as two hex digits), or empty when the disk signature is 0.
   *
   * @return the id, if there is one
   */
  public Optional<String> uuid() {
    return Optional.ofNullable(uuid);
  }

  /**
   * Whether the partition is marked bootable: the MBR boot indicator 0x80, or GPT attribute bit 2
   * (legacy BIOS bootable).
   *
   * @return {@code true} if bootable
   */
  public boolean bootable() {
    return bootable;
  }

  /**
   * The attribute bits: for GPT the entry's 64 attribute bits; for MBR the boot-indicator byte.
   *
   * @return the attributes
   */
  public long attributes() {
    return attributes;
  }

  /**
   * Whether this is the MBR extended partition: the container of the logical partitions, listed
   * (as sfdisk lists it) but holding no file system of its own.
   *
   * @return {@code true} for the extended container
   */
  public boolean isExtended() {
    return extended;
  }

  /**
   * The device the partition table was read from.
   *
   * @return the underlying device
   */
  public BlockDevice device() {
    return device;
  }

  /**
   * The table's logical sector size.
   *
   * @return the sector size in bytes
   */
  @Override
  public int sectorSize() {
    return sectorSize;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    device.read(start + offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    device.write(start + offset, src);
  }

  @Override
  public void flush() throws IOException {
    device.flush();
  }

  @Override
  public boolean isWritable() {
    return device.isWritable();
  }

  /**
   * Describes the run that starts at {@code offset}, as the underlying device describes it,
   * clipped to the end of the partition.
   *
   * @param offset a byte offset in {@code [0, size())}
   * @return the run, in partition-relative offsets
   * @throws IOException on an I/O error
   */
  @Override
  public Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    long absolute = start + offset;
    Allocation run = device.allocation(absolute);
    long end = Math.min(run.end(), start + size);
    long length = end - absolute;
    if (length <= 0) {
      // A misbehaving device answered with a run that does not cover the offset: report one byte.
      length = 1;
    }
    return new Allocation(offset, length, run.state());
  }

  /**
   * The underlying device's description followed by {@code " partition "} and the index.
   *
   * @return the description
   */
  @Override
  public String description() {
    return device.description() + " partition " + index;
  }

  /** Does nothing: the underlying device stays open. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Partition[" + description() + ", start " + start + ", size " + size + ", "
        + type.id() + " " + type.name() + (name.isEmpty() ? "" : ", \"" + name + "\"") + "]";
  }
}
