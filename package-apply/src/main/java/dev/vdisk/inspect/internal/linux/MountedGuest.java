package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.GuestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A guest's file tree over several mounted file systems: a guest path is resolved component by
 * component, in the file system mounted at the longest matching mount point, following the
 * guest's symbolic links (an absolute target is taken from the guest root, as a chroot would)
 * at most {@value #MAX_LINKS} times per lookup; more is a {@link FileSystemLoopException}
 * (thrown wrapped in an {@link UncheckedIOException}, as {@link GuestFiles#resolve} declares no
 * checked exception).
 */
public final class MountedGuest implements GuestFiles {
  /** The most symbolic links followed in one lookup (Linux's MAXSYMLINKS). */
  public static final int MAX_LINKS = 40;

  private final Map<String, Path> mounts = new LinkedHashMap<>();

  /** A guest whose root is {@code root}. */
  public MountedGuest(Path root) {
    mounts.put("/", root);
  }

  /** Mounts a file system's root at a guest directory (an absolute, normalised path). */
  public void mount(String mountPoint, Path root) {
    mounts.put(normalise(mountPoint), root);
  }

  /** The mount points in the order they were mounted, the root first. */
  public List<String> mountPoints() {
    return new ArrayList<>(mounts.keySet());
  }

  @Override
  public Path resolve(String guestPath) {
    try {
      return resolveChecked(guestPath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #resolve}, with the checked exception. */
  public Path resolveChecked(String guestPath) throws IOException {
    Deque<String> todo = new ArrayDeque<>(components(guestPath));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      done.add(c);
      Path here = physical(done);
      if (Files.isSymbolicLink(here)) {
        if (++links > MAX_LINKS) {
          throw new FileSystemLoopException(guestPath);
        }
        String target = Files.readSymbolicLink(here).toString();
        done.remove(done.size() - 1);
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> t = components(target);
        for (int i = t.size() - 1; i >= 0; i--) {
          todo.addFirst(t.get(i));
        }
      } else if (!todo.isEmpty() && !Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
        // the rest cannot exist: keep it as written
        done.addAll(todo);
        todo.clear();
      }
    }
    return physical(done);
  }

  private Path physical(List<String> parts) {
    String best = "/";
    int bestDepth = 0;
    for (String mp : mounts.keySet()) {
      List<String> mpParts = components(mp);
      if (mpParts.size() > bestDepth && mpParts.size() <= parts.size()
          && parts.subList(0, mpParts.size()).equals(mpParts)) {
        best = mp;
        bestDepth = mpParts.size();
      }
    }
    Path p = mounts.get(best);
    for (String s : parts.subList(bestDepth, parts.size())) {
      p = p.resolve(s);
    }
    return p;
  }

  private static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static String normalise(String path) {
    return "/" + String.join("/", components(path));
  }
}
