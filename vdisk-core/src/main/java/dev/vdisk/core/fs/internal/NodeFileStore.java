package dev.vdisk.core.fs.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/** The one {@link FileStore} of a {@link NodeFileSystem}: its volume. */
final class NodeFileStore extends FileStore {
  private final NodeFileSystem fs;

  NodeFileStore(NodeFileSystem fs) {
    this.fs = fs;
  }

  @Override
  public String name() {
    String label = fs.volume().identity().label();
    return label.isEmpty() ? fs.volume().identity().uuidIfAny().orElse("") : label;
  }

  @Override
  public String type() {
    return fs.volume().identity().type();
  }

  @Override
  public boolean isReadOnly() {
    return fs.volume().isReadOnly();
  }

  @Override
  public long getTotalSpace() {
    return fs.volume().totalSpace();
  }

  @Override
  public long getUsableSpace() {
    return fs.volume().isReadOnly() ? 0 : fs.volume().freeSpace();
  }

  @Override
  public long getUnallocatedSpace() {
    return fs.volume().freeSpace();
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    if (type == BasicFileAttributeView.class) {
      return true;
    }
    if (type == PosixFileAttributeView.class) {
      return supportsFileAttributeView("posix");
    }
    if (type == FileOwnerAttributeView.class) {
      return supportsFileAttributeView("owner");
    }
    if (type == DosFileAttributeView.class) {
      return supportsFileAttributeView("dos");
    }
    if (type == UserDefinedFileAttributeView.class) {
      return supportsFileAttributeView("user");
    }
    return false;
  }

  @Override
  public boolean supportsFileAttributeView(String name) {
    return fs.supportedFileAttributeViews().contains(name);
  }

  @Override
  public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  @Override
  public Object getAttribute(String attribute) throws IOException {
    switch (attribute) {
      case "totalSpace": return getTotalSpace();
      case "usableSpace": return getUsableSpace();
      case "unallocatedSpace": return getUnallocatedSpace();
      default: throw new UnsupportedOperationException("file store attribute " + attribute);
    }
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
