package dev.vdisk.cli;

import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.core.fs.VdiskFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk get}: copy files out of an image. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Copy PATH out of IMAGE to DEST, recursively for a directory. If DEST is an existing",
      "directory the copy goes inside it (the root '/' copies its contents into DEST).",
      "Keeps symbolic links as links, hard links as links, holes as holes, modes (with",
      "setuid, setgid and sticky bits) and modification and access times; as root also the",
      "owner and group. Device files, FIFOs and sockets are skipped with a warning."
    })
final class GetCommand implements Callable<Integer> {

  private static final int CHUNK = 1 << 20;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "PATH", description = "File or directory inside IMAGE.")
  String path;

  @Parameters(index = "2", paramLabel = "DEST", description = "Where to copy it on this host.")
  Path dest;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Option(names = "--json", description = "Print a JSON summary of what was copied.")
  boolean json;

  @Mixin ImageFiles.PartitionOption partition;

  @Spec CommandLine.Model.CommandSpec spec;

  private final boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  private final Map<Object, Path> copiedInodes = new HashMap<>();
  private final List<String> skipped = new ArrayList<>();
  private long files;
  private long directories;
  private long links;
  private long hardLinks;
  private long bytes;
  private long total;
  private ProgressListener listener = ProgressListener.NONE;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try (VdiskFileSystem fs = partition.open(image)) {
      Path source = ImageFiles.resolve(fs, path);
      BasicFileAttributes top = Files.readAttributes(source, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      Path target = dest;
      if (Files.isDirectory(dest) && source.getFileName() != null) {
        target = dest.resolve(source.getFileName().toString());
      }
      try (ProgressBar bar = ProgressBar.create(err, "copying", ProgressBar.wanted(progress))) {
        if (bar != null) {
          listener = bar;
          total = top.isDirectory() ? totalSize(source) : top.size();
        }
        copyTree(source, target);
        listener.progress(bytes, total);
      }
    }
    for (String s : skipped) {
      err.println("vdisk get: skipped " + s);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("image", image.toString());
      map.put("path", path);
      map.put("dest", dest.toString());
      map.put("files", files);
      map.put("directories", directories);
      map.put("symlinks", links);
      map.put("hardlinks", hardLinks);
      map.put("bytes", bytes);
      map.put("skipped", skipped);
      out.println(Json.write(map));
    } else {
      out.printf("copied %d files, %d directories, %d symbolic links, %d hard links, %s%n",
          files, directories, links, hardLinks, Sizes.describe(bytes));
    }
    out.flush();
    return ExitCode.OK;
  }

  private static long totalSize(Path source) throws IOException {
    long[] sum = {0};
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          sum[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return sum[0];
  }

  private void copyTree(Path source, Path target) throws IOException {
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectories(mapped(source, target, dir));
        directories++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        copyOne(file, mapped(source, target, file), attrs);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        // Modes and times of a directory only once its contents are written.
        applyAttributes(dir, mapped(source, target, dir));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static Path mapped(Path source, Path target, Path inside) {
    Path relative = source.relativize(inside);
    Path out = target;
    for (Path part : relative) {
      String name = part.toString();
      if (name.isEmpty()) {
        continue;
      }
      out = out.resolve(name);
    }
    return out;
  }

  private void copyOne(Path file, Path target, BasicFileAttributes attrs) throws IOException {
    Map<String, Object> unix = ImageFiles.unix(file);
    if (attrs.isSymbolicLink()) {
      Files.deleteIfExists(target);
      Files.createSymbolicLink(target, target.getFileSystem().getPath(
          Files.readSymbolicLink(file).toString()));
      links++;
      applyAttributes(file, target);
      return;
    }
    if (!attrs.isRegularFile()) {
      skipped.add(file + " (" + ImageFiles.typeName(ImageFiles.mode(unix)) + ")");
      return;
    }
    if (((Number) unix.get("nlink")).longValue() > 1) {
      Object key = unix.get("ino");
      Path first = copiedInodes.get(key);
      if (first != null) {
        Files.deleteIfExists(target);
        Files.createLink(target, first);
        hardLinks++;
        return;
      }
      copiedInodes.put(key, target);
    }
    copyContents(file, target);
    files++;
    applyAttributes(file, target);
  }

  /** Copies a regular file's bytes, leaving all-zero 1 MiB pieces as holes. */
  private void copyContents(Path file, Path target) throws IOException {
    byte[] buffer = new byte[CHUNK];
    try (InputStream in = Files.newInputStream(file);
        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long at = 0;
      int n;
      while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
        if (!allZero(buffer, n)) {
          ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
          while (b.hasRemaining()) {
            out.write(b, at + b.position());
          }
        }
        at += n;
        bytes += n;
        listener.progress(bytes, total);
      }
      if (out.size() < at) {
        out.write(ByteBuffer.allocate(1), at - 1); // a file ending in a hole
      }
    }
  }

  private static boolean allZero(byte[] buffer, int length) {
    return java.util.Arrays.mismatch(buffer, 0, length, new byte[length], 0, length) < 0;
  }

  /** Owner (as root), then mode (chown clears setuid bits), then times; never follows links. */
  private void applyAttributes(Path file, Path target) throws IOException {
    Map<String, Object> unix = ImageFiles.unix(file);
    boolean link = Files.isSymbolicLink(target);
    if (root) {
      Files.setAttribute(target, "unix:uid", unix.get("uid"), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(target, "unix:gid", unix.get("gid"), LinkOption.NOFOLLOW_LINKS);
    }
    if (!link) {
      Files.setAttribute(target, "unix:mode", ImageFiles.mode(unix) & 07777);
    }
    Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes((FileTime) unix.get("lastModifiedTime"),
            (FileTime) unix.get("lastAccessTime"), null);
  }
}
