package dev.vdisk.core.chain;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A test-only differencing format: a text file "CHAIN-TEST\n" + parent locators, one per line.
 * It stores no data of its own until written (in memory): every byte reads from the parent.
 */
public final class ChainTestFormat implements DiskFormat {
  static final String MAGIC = "CHAIN-TEST\n";

  @Override
  public String name() {
    return "chaintest";
  }

  @Override
  public int probe(Path file, FileChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(MAGIC.length());
    channel.read(head, 0);
    return new String(head.array(), StandardCharsets.US_ASCII).equals(MAGIC) ? CERTAIN : NO;
  }

  @Override
  public VirtualDisk open(Path file, OpenOptions options) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String> locators = lines.subList(1, lines.size());
    Path parentPath = Parents.locate(file, locators);
    VirtualDisk parent = Parents.open(file, parentPath, options);
    return new Disk(this, file, parent);
  }

  /** A child whose own data lives in memory, sector by sector. */
  static final class Disk implements VirtualDisk {
    private final DiskFormat format;
    private final Path path;
    private final VirtualDisk parent;
    final TreeMap<Long, byte[]> sectors = new TreeMap<>();

    Disk(DiskFormat format, Path path, VirtualDisk parent) {
      this.format = format;
      this.path = path;
      this.parent = parent;
    }

    @Override
    public DiskFormat format() {
      return format;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public DiskInfo info() {
      List<ChainEntry> chain = new ArrayList<>();
      chain.add(new ChainEntry(path, format.name()));
      chain.addAll(parent.info().chain());
      return new DiskInfo(format.name(), "differencing", size(), -1, chain, Map.of());
    }

    @Override
    public Optional<VirtualDisk> parent() {
      return Optional.of(parent);
    }

    @Override
    public long size() {
      return parent.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
      BlockDevices.checkRange(this, offset, dst.remaining());
      while (dst.hasRemaining()) {
        long sector = offset / 512;
        int within = (int) (offset % 512);
        int n = Math.min(dst.remaining(), 512 - within);
        byte[] own = sectors.get(sector);
        if (own != null) {
          dst.put(own, within, n);
        } else {
          ByteBuffer slice = dst.slice().limit(n);
          parent.read(offset, slice);
          dst.position(dst.position() + n);
        }
        offset += n;
      }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      BlockDevices.checkRange(this, offset, src.remaining());
      while (src.hasRemaining()) {
        long sector = offset / 512;
        int within = (int) (offset % 512);
        int n = Math.min(src.remaining(), 512 - within);
        byte[] own = sectors.get(sector);
        if (own == null) {
          own = new byte[512];
          parent.read(sector * 512, ByteBuffer.wrap(own));
          sectors.put(sector, own);
        }
        src.get(own, within, n);
        offset += n;
      }
    }

    /** Marks a sector as explicitly zeroed in this layer. */
    void zero(long sector) {
      sectors.put(sector, new byte[512]);
    }

    @Override
    public Allocation allocation(long offset) {
      long sector = offset / 512;
      boolean present = sectors.containsKey(sector);
      long end = (sector + 1) * 512;
      while (end < size() && sectors.containsKey(end / 512) == present) {
        end += 512;
      }
      end = Math.min(end, size());
      return new Allocation(offset, end - offset,
          present ? Allocation.State.DATA : Allocation.State.UNALLOCATED);
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public String description() {
      return path.toString();
    }

    @Override
    public void close() throws IOException {
      parent.close();
    }
  }
}
