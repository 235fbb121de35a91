package dev.vdisk.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory model of a hive's keys and values for property tests: names compare
 * case-insensitively (each UTF-16 code unit upper-cased), a replaced value keeps its stored
 * name. {@link #export} renders it the way {@code hivexregedit --export} prints a hive (the rules
 * documented on {@link RegExport}), written independently of it.
 */
final class RegModel {
  /** A key: stored name, values and subkeys keyed by the upper-cased name. */
  static final class Node {
    final String name;
    final Map<String, RegistryValue> values = new LinkedHashMap<>();
    final Map<String, Node> children = new LinkedHashMap<>();

    Node(String name) {
      this.name = name;
    }
  }

  final Node root;

  RegModel(String rootName) {
    root = new Node(rootName);
  }

  static String upper(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      b.append(Character.toUpperCase(s.charAt(i)));
    }
    return b.toString();
  }

  /** The model of a hive as our reader sees it. */
  static RegModel of(Hive hive) throws IOException {
    RegistryKey r = hive.root();
    RegModel m = new RegModel(r.name());
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {r, m.root});
    while (!stack.isEmpty()) {
      Object[] item = stack.remove(stack.size() - 1);
      RegistryKey k = (RegistryKey) item[0];
      Node n = (Node) item[1];
      for (RegistryValue v : k.values()) {
        n.values.putIfAbsent(upper(v.name()), v);
      }
      for (RegistryKey c : k.subkeys()) {
        Node cn = new Node(c.name());
        n.children.put(upper(c.name()), cn);
        stack.add(new Object[] {c, cn});
      }
    }
    return m;
  }

  Node find(List<String> path) {
    Node n = root;
    for (String p : path) {
      n = n.children.get(upper(p));
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  void createKey(List<String> path) {
    Node n = root;
    for (String p : path) {
      n = n.children.computeIfAbsent(upper(p), k -> new Node(p));
    }
  }

  boolean deleteKey(List<String> path) {
    Node parent = find(path.subList(0, path.size() - 1));
    return parent != null && parent.children.remove(upper(path.get(path.size() - 1))) != null;
  }

  void setValue(List<String> path, RegistryValue v) {
    Node n = find(path);
    RegistryValue old = n.values.get(upper(v.name()));
    String name = old == null ? v.name() : old.name();
    n.values.put(upper(v.name()), new RegistryValue(name, v.type(), v.data()));
  }

  boolean deleteValue(List<String> path, String name) {
    Node n = find(path);
    return n != null && n.values.remove(upper(name)) != null;
  }

  /** Paths of every key (the root as the empty list), depth first. */
  List<List<String>> paths() {
    List<List<String>> out = new ArrayList<>();
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {root, List.<String>of()});
    while (!stack.isEmpty()) {
      Object[] item = stack.remove(stack.size() - 1);
      Node n = (Node) item[0];
      @SuppressWarnings("unchecked")
      List<String> p = (List<String>) item[1];
      out.add(p);
      for (Node c : n.children.values()) {
        List<String> cp = new ArrayList<>(p);
        cp.add(c.name);
        stack.add(new Object[] {c, cp});
      }
    }
    return out;
  }

  static final Comparator<String> CODE_POINTS = RegExport.CODE_POINTS;

  /** The bytes hivexregedit --export HIVE '\' prints for this model. */
  byte[] export() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    piece(out, "Windows Registry Editor Version 5.00\n\n");
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {root, ""});
    while (!stack.isEmpty()) {
      Object[] item = stack.remove(stack.size() - 1);
      Node n = (Node) item[0];
      String path = (String) item[1];
      piece(out, "[");
      piece(out, "\\" + path);
      piece(out, "]\n");
      List<RegistryValue> values = new ArrayList<>(n.values.values());
      values.sort(Comparator.comparing(RegistryValue::name, CODE_POINTS));
      for (RegistryValue v : values) {
        if (v.name().isEmpty()) {
          piece(out, "@=");
        } else {
          piece(out, "\"");
          piece(out, v.name().replace("\\", "\\\\").replace("\"", "\\\""));
          piece(out, "\"=");
        }
        StringBuilder line = new StringBuilder();
        byte[] d = v.data();
        if (v.type() == 4 && d.length == 4) {
          line.append("dword:");
          for (int i = 3; i >= 0; i--) {
            hex(line, d[i]);
          }
        } else {
          line.append("hex(").append(Integer.toHexString(v.type())).append("):");
          for (int i = 0; i < d.length; i++) {
            if (i > 0) {
              line.append(',');
            }
            hex(line, d[i]);
          }
        }
        piece(out, line.append('\n').toString());
      }
      piece(out, "\n");
      List<Node> children = new ArrayList<>(n.children.values());
      children.sort(Comparator.comparing(c -> c.name, CODE_POINTS));
      for (int i = children.size() - 1; i >= 0; i--) {
        Node c = children.get(i);
        stack.add(new Object[] {c, path.isEmpty() ? c.name : path + "\\" + c.name});
      }
    }
    return out.toByteArray();
  }

  private static void hex(StringBuilder b, byte x) {
    b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
  }

  /** hivexregedit prints each piece as Latin-1 when it can, else as UTF-8. */
  private static void piece(ByteArrayOutputStream out, String s) throws IOException {
    boolean latin1 = s.chars().allMatch(c -> c < 0x100);
    out.write(s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
  }
}
