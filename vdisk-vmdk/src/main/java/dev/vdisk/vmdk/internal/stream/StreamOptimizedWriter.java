package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vmdk.internal.FileExtent;
import dev.vdisk.vmdk.internal.GrainDirectory;
import dev.vdisk.vmdk.internal.GrainRuns;
import dev.vdisk.vmdk.internal.GrainTable;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;

/**
 * Writes a new streamOptimized sparse extent in the layout VMware's tools (ovftool,
 * vmware-vdiskmanager) write and ESXi and OVF importers accept:
 *
 * <ol>
 *   <li>sector 0: the header, version 3, flags valid-newline-test, compressed grains and markers
 *       (no redundant grain tables), compressAlgorithm 1 (deflate), gdOffset {@link
 *       SparseExtentHeader#GD_AT_END};
 *   <li>sector 1: the embedded descriptor, padded to whole sectors;
 *   <li>from overHead (the first grain boundary after the descriptor): one grain marker (LBA,
 *       compressed size) plus zlib data per grain that is not all zero, in LBA order, each padded
 *       to a sector boundary;
 *   <li>for each grain table with an allocated grain: a grain-table marker and the table (512
 *       entries, the sector of each grain's marker, 0 for grains not stored);
 *   <li>a grain-directory marker and the directory (the sector of each table, 0 for tables not
 *       written);
 *   <li>a footer marker and the footer (the header with the real gdOffset);
 *   <li>an end-of-stream marker.
 * </ol>
 *
 * <p>Writes must arrive at increasing offsets: partial grains are buffered until the grain is
 * complete or a write starts in a later grain; a write before the grain being buffered fails with
 * {@link UnsupportedFeatureException} (streamOptimized is write-once sequential). Grains never
 * written, and grains written as all zeros, are not stored (they read as zeros). Reads are
 * answered from what was written so far.
 *
 * <p>{@link #flush()} writes the grains completed so far to the file and forces them to the
 * device, but the file is <em>not</em> a valid VMDK until {@link #close()} has written the tables,
 * footer and end-of-stream marker: a file left by a crash before close has a header saying the
 * directory is at the end and no footer, which readers refuse. {@link #close()} finishes the file,
 * forces it and closes the channel. One lock serializes calls.
 *
 * <p>Grains are deflated (zlib's default level 6, as qemu) with reused {@link Deflater}s on up to
 * {@link #THREADS} pool threads, at most {@link #MAX_PENDING} grains ahead of the file, and
 * written strictly in LBA order.
 */
public final class StreamOptimizedWriter extends FileExtent {
  /** Default deflate level, as zlib's default which qemu uses. */
  static final int LEVEL = 6;
  /** Grains compressed ahead of the one being written. */
  static final int MAX_PENDING = 8;
  /** Threads compressing grains (bounded by the processors available). */
  static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
  private static final int GTES = 512;
  private static final int SECTOR = SparseExtentHeader.SECTOR;
  private static final int OUT_BUFFER = 1 << 20;
  private static final long MAX_SECTOR = 0xffffffffL;
  /** The most grain tables kept in memory (1 PiB with 64 KiB grains; 64 TiB with 4 KiB). */
  private static final long MAX_TABLES = 1L << 25;

  private final FileChannel channel;
  private final long grainBytes;
  private final long grainSectors;
  private final SparseExtentHeader header;
  private final GrainTable[] tables;
  private byte[] grain;
  private final byte[] zeros;
  private final byte[] compressed;
  private final ExecutorService pool;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final ArrayDeque<byte[]> spareInputs = new ArrayDeque<>();
  private final ArrayDeque<byte[]> spareOutputs = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Deflater> deflaters = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Deflater> allDeflaters = new ConcurrentLinkedQueue<>();
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER)
      .order(ByteOrder.LITTLE_ENDIAN);
  private long outStart;
  private long current = -1;
  private long nextAllowed;
  private boolean closed;
  private GrainReader reader;
  private byte[] readBack;

  private StreamOptimizedWriter(Path file, FileChannel channel, long size, long grainBytes,
      SparseExtentHeader header, int threads) {
    super(file, size);
    this.channel = channel;
    this.grainBytes = grainBytes;
    this.grainSectors = grainBytes / SECTOR;
    this.header = header;
    this.tables = new GrainTable[(int) header.grainDirectoryEntries()];
    this.grain = new byte[(int) grainBytes];
    this.zeros = new byte[(int) grainBytes];
    this.compressed = new byte[(int) (grainBytes + grainBytes / 8 + 4096)];
    this.outStart = header.overHead() * SECTOR;
    this.pool = threads < 2 ? null : Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "vmdk-stream-deflate");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** A grain being compressed on the pool. */
  private record Pending(long grain, byte[] input, byte[] output, Future<Integer> result) {}

  /**
   * Starts a new streamOptimized file: writes the header and the embedded descriptor.
   *
   * @param file the file, for messages
   * @param channel the file opened for writing, empty; closed by {@link #close()}
   * @param capacityBytes the disk's capacity, a positive multiple of 512
   * @param grainSizeBytes the grain size, a power of two from 4 KiB to 16 MiB (VMware uses 64 KiB)
   * @param embeddedDescriptor the descriptor text (createType="streamOptimized", one SPARSE
   *     extent naming this file)
   * @return the writer
   * @throws IllegalArgumentException if the capacity or grain size is invalid
   * @throws UnsupportedFeatureException if the capacity needs too many grain tables for the grain
   *     size
   * @throws IOException on an I/O error
   */
  public static StreamOptimizedWriter create(Path file, FileChannel channel, long capacityBytes,
      long grainSizeBytes, String embeddedDescriptor) throws IOException {
    return create(file, channel, capacityBytes, grainSizeBytes, embeddedDescriptor, THREADS);
  }

  /** As the public factory, compressing on {@code threads} threads (below 2: on the caller's). */
  static StreamOptimizedWriter create(Path file, FileChannel channel, long capacityBytes,
      long grainSizeBytes, String embeddedDescriptor, int threads) throws IOException {
    if (capacityBytes <= 0 || capacityBytes % SECTOR != 0
        || capacityBytes / SECTOR > SparseExtentHeader.MAX_CAPACITY_SECTORS) {
      throw new IllegalArgumentException("capacity must be a positive multiple of 512 up to "
          + SparseExtentHeader.MAX_CAPACITY_SECTORS + " sectors: " + capacityBytes);
    }
    if (grainSizeBytes < 4096 || grainSizeBytes > (16 << 20)
        || Long.bitCount(grainSizeBytes) != 1) {
      throw new IllegalArgumentException(
          "grain size must be a power of two from 4 KiB to 16 MiB: " + grainSizeBytes);
    }
    long tablesNeeded = (capacityBytes / grainSizeBytes + GTES) / GTES;
    if (tablesNeeded > MAX_TABLES) {
      throw new UnsupportedFeatureException(file, "streamOptimized capacity " + capacityBytes
          + " with " + grainSizeBytes + "-byte grains", "more than " + MAX_TABLES
          + " grain tables; use larger grains");
    }
    byte[] descriptor = embeddedDescriptor.getBytes(StandardCharsets.UTF_8);
    long descriptorSectors = Math.max(1, (descriptor.length + SECTOR - 1) / SECTOR);
    long grainSectors = grainSizeBytes / SECTOR;
    long overHead = (1 + descriptorSectors + grainSectors - 1) / grainSectors * grainSectors;
    SparseExtentHeader header = SparseExtentHeader.of(3,
        SparseExtentHeader.FLAG_VALID_NEWLINE_TEST | SparseExtentHeader.FLAG_COMPRESSED_GRAINS
            | SparseExtentHeader.FLAG_MARKERS,
        capacityBytes / SECTOR, grainSectors, 1, descriptorSectors, GTES, 0,
        SparseExtentHeader.GD_AT_END, overHead, SparseExtentHeader.COMPRESSION_DEFLATE);
    ByteBuffer start = ByteBuffer.allocate((int) ((1 + descriptorSectors) * SECTOR));
    header.writeTo(start);
    start.put(descriptor);
    start.clear();
    channel.truncate(0);
    ChannelIo.writeFully(channel, 0, start);
    return new StreamOptimizedWriter(file, channel, capacityBytes, grainSizeBytes, header,
        threads);
  }

  /**
   * The header written at the start of the file (gdOffset is GD_AT_END).
   *
   * @return the header
   */
  public SparseExtentHeader header() {
    return header;
  }

  @Override
  public boolean isWritable() {
    return !closed;
  }

  @Override
  public synchronized void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    checkRange(offset, src.remaining());
    long at = offset;
    while (src.hasRemaining()) {
      long g = at / grainBytes;
      if (g != current) {
        if (g < nextAllowed || g < current) {
          throw new UnsupportedFeatureException(file, "rewriting a streamOptimized grain",
              "streamOptimized is write-once sequential: a write at offset " + at
                  + " comes after data up to grain " + Math.max(current, nextAllowed - 1)
                  + " was written; write in increasing offsets");
        }
        finishGrain();
        current = g;
        Arrays.fill(grain, (byte) 0);
      }
      int inGrain = (int) (at - g * grainBytes);
      int length = grainLength(g);
      int n = Math.min(src.remaining(), length - inGrain);
      src.get(grain, inGrain, n);
      at += n;
      if (inGrain + n == length) {
        finishGrain();
      }
    }
  }

  @Override
  public synchronized Allocation allocation(long offset) throws IOException {
    checkRange(offset, 1);
    drainPending();
    return GrainRuns.run(offset, size, grainBytes, 65535, g -> stored(g)
        ? Allocation.State.DATA : Allocation.State.UNALLOCATED);
  }

  @Override
  public synchronized void read(long offset, ByteBuffer dst) throws IOException {
    checkRange(offset, dst.remaining());
    drainPending();
    long at = offset;
    while (dst.hasRemaining()) {
      long g = at / grainBytes;
      int inGrain = (int) (at - g * grainBytes);
      int n = (int) Math.min(dst.remaining(), grainBytes - inGrain);
      if (g == current) {
        dst.put(grain, inGrain, n);
      } else {
        long sector = entry(g);
        if (sector == 0) {
          dst.put(zeros, 0, n);
        } else {
          dst.put(readBack(g, sector), inGrain, n);
        }
      }
      at += n;
    }
  }

  /**
   * Writes the grains completed so far and forces them to the device. The file does not become a
   * valid VMDK by this: only {@link #close()} writes the grain tables, directory and footer.
   */
  @Override
  public synchronized void flush() throws IOException {
    if (closed) {
      return;
    }
    drainPending();
    drain();
    channel.force(false);
  }

  /** Finishes the file (last grain, tables, directory, footer, end-of-stream), forces it, closes. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      finishGrain();
      drainPending();
      GrainDirectory directory = GrainDirectory.empty(tables.length);
      ByteBuffer table = ByteBuffer.allocate(GTES * 4).order(ByteOrder.LITTLE_ENDIAN);
      int tableSectors = GTES * 4 / SECTOR;
      for (int i = 0; i < tables.length; i++) {
        if (tables[i] == null) {
          continue;
        }
        appendMetadata(Marker.metadata(tableSectors, Marker.TYPE_GRAIN_TABLE));
        directory.set(i, nextSector());
        table.clear();
        tables[i].writeTo(table);
        table.flip();
        append(table);
      }
      int gdSectors = (int) ((tables.length * 4L + SECTOR - 1) / SECTOR);
      appendMetadata(Marker.metadata(gdSectors, Marker.TYPE_GRAIN_DIRECTORY));
      long gdSector = nextSector();
      ByteBuffer gd = ByteBuffer.allocate(gdSectors * SECTOR).order(ByteOrder.LITTLE_ENDIAN);
      directory.writeTo(gd);
      gd.clear();
      append(gd);
      appendMetadata(Marker.metadata(1, Marker.TYPE_FOOTER));
      append(ByteBuffer.wrap(header.withGdOffset(gdSector).toBytes()));
      appendMetadata(Marker.metadata(0, Marker.TYPE_END_OF_STREAM));
      drain();
      channel.truncate(outStart);
      channel.force(true);
    } finally {
      closed = true;
      if (pool != null) {
        pool.shutdownNow();
      }
      for (Deflater d : allDeflaters) {
        d.end();
      }
      channel.close();
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new java.nio.channels.ClosedChannelException();
    }
  }

  private int grainLength(long g) {
    return (int) Math.min(grainBytes, size - g * grainBytes);
  }

  private boolean stored(long g) {
    return g == current || entry(g) != 0;
  }

  private long entry(long g) {
    GrainTable table = tables[(int) (g / GTES)];
    return table == null ? 0 : table.entry((int) (g % GTES));
  }

  /**
   * Hands the buffered grain to compression unless it is all zeros. With a compression pool the
   * grain is compressed on a pool thread and written, in order, once the grains before it are;
   * at most {@value #MAX_PENDING} grains wait.
   */
  private void finishGrain() throws IOException {
    if (current < 0) {
      return;
    }
    long g = current;
    current = -1;
    nextAllowed = g + 1;
    int length = grainLength(g);
    if (Arrays.mismatch(grain, 0, length, zeros, 0, length) < 0) {
      return;
    }
    if (pool == null) {
      emit(g, compressed, compress(grain, length, compressed));
      return;
    }
    byte[] input = grain;
    grain = spareInputs.isEmpty() ? new byte[(int) grainBytes] : spareInputs.pop();
    byte[] output = spareOutputs.isEmpty() ? new byte[compressed.length] : spareOutputs.pop();
    Future<Integer> result = pool.submit(() -> compress(input, length, output));
    pending.add(new Pending(g, input, output, result));
    if (pending.size() >= MAX_PENDING) {
      emitHead();
    }
  }

  /** Writes every grain still being compressed. */
  private void drainPending() throws IOException {
    while (!pending.isEmpty()) {
      emitHead();
    }
  }

  private void emitHead() throws IOException {
    Pending head = pending.poll();
    int n;
    try {
      n = head.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while compressing grains");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("compressing grain " + head.grain() + " failed", cause);
    }
    emit(head.grain(), head.output(), n);
    spareInputs.push(head.input());
    spareOutputs.push(head.output());
  }

  /** Deflates {@code length} bytes of {@code input} into {@code output}; any thread. */
  private int compress(byte[] input, int length, byte[] output) {
    Deflater deflater = deflaters.poll();
    if (deflater == null) {
      deflater = new Deflater(LEVEL);
      allDeflaters.add(deflater);
    }
    try {
      deflater.reset();
      deflater.setInput(input, 0, length);
      deflater.finish();
      int n = 0;
      while (!deflater.finished()) {
        n += deflater.deflate(output, n, output.length - n);
        if (n == output.length && !deflater.finished()) {
          throw new IllegalStateException("deflate output exceeds its worst-case bound");
        }
      }
      return n;
    } finally {
      deflaters.offer(deflater);
    }
  }

  /** Appends one grain marker and its compressed data, and maps the grain to it. */
  private void emit(long g, byte[] data, int n) throws IOException {
    long sector = nextSector();
    if (sector > MAX_SECTOR) {
      throw new UnsupportedFeatureException(file, "streamOptimized file above 2 TiB",
          "grain tables hold 32-bit sector numbers");
    }
    GrainTable table = tables[(int) (g / GTES)];
    if (table == null) {
      table = GrainTable.empty(GTES);
      tables[(int) (g / GTES)] = table;
    }
    table.set((int) (g % GTES), sector);
    int total = Marker.GRAIN_MARKER_SIZE + n;
    int padded = (total + SECTOR - 1) / SECTOR * SECTOR;
    if (out.remaining() < padded) {
      drain();
    }
    if (out.remaining() < padded) {
      // a grain larger than the output buffer: write it directly
      ByteBuffer big = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
      new Marker(g * grainSectors, n, 0).writeGrainTo(big);
      big.put(data, 0, n);
      big.clear();
      ChannelIo.writeFully(channel, outStart, big);
      outStart += padded;
      return;
    }
    new Marker(g * grainSectors, n, 0).writeGrainTo(out);
    out.put(data, 0, n);
    int pad = padded - total;
    for (int i = 0; i < pad; i++) {
      out.put((byte) 0);
    }
  }

  private long nextSector() {
    return (outStart + out.position()) / SECTOR;
  }

  private void appendMetadata(Marker marker) throws IOException {
    if (out.remaining() < Marker.METADATA_MARKER_SIZE) {
      drain();
    }
    marker.writeMetadataTo(out);
  }

  private void append(ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      if (!out.hasRemaining()) {
        drain();
      }
      int n = Math.min(out.remaining(), data.remaining());
      ByteBuffer part = data.duplicate().limit(data.position() + n);
      out.put(part);
      data.position(data.position() + n);
    }
  }

  /** Writes the output buffer to the file. */
  private void drain() throws IOException {
    out.flip();
    int n = out.remaining();
    ChannelIo.writeFully(channel, outStart, out);
    outStart += n;
    out.clear();
  }

  private byte[] readBack(long g, long sector) throws IOException {
    drain();
    if (reader == null) {
      reader = new GrainReader(file, channel, outStart, grainBytes, true);
      readBack = new byte[(int) grainBytes];
    }
    reader.fileSize(outStart);
    reader.read(sector * SECTOR, g * grainSectors, readBack, grainLength(g));
    return readBack;
  }
}
