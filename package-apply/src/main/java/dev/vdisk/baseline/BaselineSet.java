package dev.vdisk.baseline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vdisk.deb.DebVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A baseline file: named baselines, baseline groups, and which targets (by tag) they apply to.
 * The YAML format is documented in the README ("Baselines"). Loading checks everything a scan
 * relies on (unknown keys, missing or duplicate names, malformed globs and versions, groups
 * naming unknown baselines) and reports the first problem as a {@link BaselineException} naming
 * the entry.
 */
public final class BaselineSet {
  /** The largest baseline file read. */
  public static final int MAX_FILE_BYTES = 1 << 20;
  /** The most entries in any one list of the file. */
  public static final int MAX_LIST = 10_000;

  private final Path file;
  private final Map<String, Baseline> baselines;
  private final List<BaselineGroup> groups;

  private BaselineSet(Path file, Map<String, Baseline> baselines, List<BaselineGroup> groups) {
    this.file = file;
    this.baselines = Collections.unmodifiableMap(baselines);
    this.groups = List.copyOf(groups);
  }

  /**
   * Reads and checks a baseline file.
   *
   * @param file the YAML file
   * @return the baselines
   * @throws IOException if it cannot be read or is invalid (a {@link BaselineException} naming
   *     the file and the entry)
   */
  public static BaselineSet load(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new BaselineException(file, "", "larger than " + MAX_FILE_BYTES + " bytes");
    }
    return parse(bytes, file);
  }

  /**
   * Parses and checks baseline YAML.
   *
   * @param bytes the file's bytes (UTF-8)
   * @param file the file, for messages (may be null)
   * @return the baselines
   * @throws BaselineException if it is invalid
   */
  public static BaselineSet parse(byte[] bytes, Path file) throws BaselineException {
    if (bytes.length > MAX_FILE_BYTES) {
      throw new BaselineException(file, "", "larger than " + MAX_FILE_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = mapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new BaselineException(file, "", "not valid YAML: " + e.getOriginalMessage()
          + location(e));
    } catch (IOException | RuntimeException e) {
      throw new BaselineException(file, "", "not valid YAML: " + e.getMessage());
    } catch (StackOverflowError e) {
      throw new BaselineException(file, "", "not valid YAML: nested too deeply");
    }
    return new Reader(file).document(root);
  }

  private static String location(JsonProcessingException e) {
    if (e.getLocation() == null) {
      return "";
    }
    return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
        + ")";
  }

  private static ObjectMapper mapper() {
    LoaderOptions lo = new LoaderOptions();
    lo.setCodePointLimit(MAX_FILE_BYTES);
    lo.setMaxAliasesForCollections(50);
    lo.setNestingDepthLimit(50);
    lo.setAllowDuplicateKeys(false);
    YAMLFactory f = YAMLFactory.builder().loaderOptions(lo)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(50)
            .maxStringLength(MAX_FILE_BYTES).maxNumberLength(100).build())
        .build();
    f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return new ObjectMapper(f);
  }

  /**
   * The file this set was read from.
   *
   * @return the file, or null when parsed from bytes without one
   */
  public Path file() {
    return file;
  }

  /**
   * The baselines by name, in file order.
   *
   * @return the baselines
   */
  public Map<String, Baseline> baselines() {
    return baselines;
  }

  /**
   * A baseline by name.
   *
   * @param name the name
   * @return it, or empty
   */
  public Optional<Baseline> baseline(String name) {
    return Optional.ofNullable(baselines.get(name));
  }

  /**
   * The groups, in file order (empty when the file has none).
   *
   * @return the groups
   */
  public List<BaselineGroup> groups() {
    return groups;
  }

  /**
   * The baselines that apply to a target carrying these tags: with no groups, every baseline;
   * else the union of the groups that name any of the tags, or the group named {@code default}
   * when none does (no baseline when there is no such group).
   *
   * @param tags the target's tags (empty: the default group)
   * @return the baselines' names, in file order
   */
  public List<String> select(Set<String> tags) {
    if (groups.isEmpty()) {
      return List.copyOf(baselines.keySet());
    }
    Set<String> chosen = new HashSet<>();
    boolean matched = false;
    for (BaselineGroup g : groups) {
      if (g.tags().stream().anyMatch(tags::contains)) {
        chosen.addAll(g.baselines());
        matched = true;
      }
    }
    if (!matched) {
      for (BaselineGroup g : groups) {
        if (g.name().equals("default")) {
          chosen.addAll(g.baselines());
        }
      }
    }
    return baselines.keySet().stream().filter(chosen::contains).toList();
  }

  /** Walks the tree, checking each entry. */
  private static final class Reader {
    private final Path file;

    Reader(Path file) {
      this.file = file;
    }

    BaselineException bad(String entry, String detail) {
      return new BaselineException(file, entry, detail);
    }

    BaselineSet document(JsonNode root) throws BaselineException {
      if (root == null || root.isMissingNode() || root.isNull()) {
        throw bad("", "empty document: expected a mapping with 'baselines:'");
      }
      object(root, "", Set.of("baselines", "groups"));
      JsonNode bl = root.get("baselines");
      if (bl == null || bl.isNull()) {
        throw bad("baselines", "missing: the file must name at least one baseline");
      }
      list(bl, "baselines");
      if (bl.isEmpty()) {
        throw bad("baselines", "empty: the file must name at least one baseline");
      }
      Map<String, Baseline> baselines = new LinkedHashMap<>();
      for (int i = 0; i < bl.size(); i++) {
        String at = "baselines[" + i + "]";
        Baseline b = baseline(bl.get(i), at);
        if (baselines.containsKey(b.name())) {
          throw bad(at + ".name", "duplicate baseline name '" + b.name() + "'");
        }
        baselines.put(b.name(), b);
      }
      List<BaselineGroup> groups = new ArrayList<>();
      JsonNode gl = root.get("groups");
      if (gl != null && !gl.isNull()) {
        list(gl, "groups");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < gl.size(); i++) {
          String at = "groups[" + i + "]";
          JsonNode g = gl.get(i);
          object(g, at, Set.of("name", "baselines", "tags"));
          String name = name(g, at);
          if (!names.add(name)) {
            throw bad(at + ".name", "duplicate group name '" + name + "'");
          }
          List<String> members = strings(g.get("baselines"), at + ".baselines");
          if (members.isEmpty()) {
            throw bad(at + ".baselines", "missing or empty: a group names at least one baseline");
          }
          for (int j = 0; j < members.size(); j++) {
            if (!baselines.containsKey(members.get(j))) {
              throw bad(at + ".baselines[" + j + "]", "unknown baseline '" + members.get(j)
                  + "'");
            }
          }
          List<String> tags = strings(g.get("tags"), at + ".tags");
          for (int j = 0; j < tags.size(); j++) {
            if (tags.get(j).isBlank()) {
              throw bad(at + ".tags[" + j + "]", "empty tag");
            }
          }
          groups.add(new BaselineGroup(name, members, tags));
        }
      }
      return new BaselineSet(file, baselines, groups);
    }

    Baseline baseline(JsonNode b, String at) throws BaselineException {
      object(b, at, Set.of("name", "description", "sources", "dynamic", "static", "exclude"));
      String name = name(b, at);
      String description = optionalText(b.get("description"), at + ".description");
      List<Source> sources = new ArrayList<>();
      JsonNode sl = b.get("sources");
      if (sl != null && !sl.isNull()) {
        list(sl, at + ".sources");
        for (int i = 0; i < sl.size(); i++) {
          sources.add(source(sl.get(i), at + ".sources[" + i + "]"));
        }
      }
      DynamicRule dynamic = null;
      JsonNode d = b.get("dynamic");
      if (d != null && !d.isNull()) {
        dynamic = dynamic(d, at + ".dynamic");
        if (sources.isEmpty()) {
          throw bad(at + ".dynamic", "a dynamic rule needs 'sources:'");
        }
      }
      List<StaticRule> statics = new ArrayList<>();
      JsonNode st = b.get("static");
      if (st != null && !st.isNull()) {
        list(st, at + ".static");
        for (int i = 0; i < st.size(); i++) {
          statics.add(staticRule(st.get(i), at + ".static[" + i + "]"));
        }
      }
      List<String> exclude = globs(b.get("exclude"), at + ".exclude");
      if (dynamic == null && statics.isEmpty()) {
        throw bad(at, "baseline '" + name + "' has neither 'dynamic:' nor 'static:' rules");
      }
      return new Baseline(name, description, sources, dynamic, statics, exclude);
    }

    Source source(JsonNode s, String at) throws BaselineException {
      object(s, at, Set.of("repo", "suites", "components", "architectures", "trust"));
      String repo = requiredText(s.get("repo"), at + ".repo");
      if (repo.isBlank() || repo.chars().anyMatch(Character::isWhitespace)) {
        throw bad(at + ".repo", "must be a directory or an http(s) URL without white space");
      }
      if (repo.contains("://") && !repo.startsWith("http://") && !repo.startsWith("https://")
          && !repo.startsWith("file:")) {
        throw bad(at + ".repo", "only http, https and file URLs are supported: '" + repo + "'");
      }
      List<String> suites = words(s.get("suites"), at + ".suites");
      if (suites.isEmpty()) {
        throw bad(at + ".suites", "missing or empty: name at least one suite");
      }
      List<String> components = words(s.get("components"), at + ".components");
      if (components.isEmpty()) {
        components = List.of("main");
      }
      List<String> archs = words(s.get("architectures"), at + ".architectures");
      List<String> trust = strings(s.get("trust"), at + ".trust");
      for (int i = 0; i < trust.size(); i++) {
        if (trust.get(i).isBlank()) {
          throw bad(at + ".trust[" + i + "]", "empty keyring path");
        }
      }
      return new Source(repo, suites, components, archs, trust);
    }

    DynamicRule dynamic(JsonNode d, String at) throws BaselineException {
      object(d, at, Set.of("allowNew", "suites", "priorities", "sections", "packages",
          "approveAfterDays", "approved", "rejected"));
      boolean allowNew = false;
      JsonNode an = d.get("allowNew");
      if (an != null && !an.isNull()) {
        if (!an.isBoolean()) {
          throw bad(at + ".allowNew", "must be true or false");
        }
        allowNew = an.booleanValue();
      }
      int days = 0;
      JsonNode ad = d.get("approveAfterDays");
      if (ad != null && !ad.isNull()) {
        if (!ad.isIntegralNumber() || !ad.canConvertToInt() || ad.intValue() < 0
            || ad.intValue() > 36500) {
          throw bad(at + ".approveAfterDays", "must be a whole number of days, 0 to 36500");
        }
        days = ad.intValue();
      }
      return new DynamicRule(allowNew, orAll(globs(d.get("suites"), at + ".suites")),
          orAll(globs(d.get("priorities"), at + ".priorities")),
          orAll(globs(d.get("sections"), at + ".sections")),
          orAll(globs(d.get("packages"), at + ".packages")), days,
          selectors(d.get("approved"), at + ".approved"),
          selectors(d.get("rejected"), at + ".rejected"));
    }

    StaticRule staticRule(JsonNode r, String at) throws BaselineException {
      object(r, at, Set.of("package", "minVersion", "absent", "update"));
      String pkg = optionalText(r.get("package"), at + ".package");
      String update = optionalText(r.get("update"), at + ".update");
      if (pkg != null && update != null) {
        throw bad(at, "a rule names either 'package:' or 'update:', not both");
      }
      if (update != null) {
        if (r.has("minVersion") || r.has("absent")) {
          throw bad(at, "'update:' takes neither 'minVersion:' nor 'absent:'");
        }
        if (!update.matches("(?i)KB[0-9]{1,10}")) {
          throw bad(at + ".update", "not a Windows update id like KB5034441: '" + update + "'");
        }
        return new StaticRule(null, null, false, update.toUpperCase(java.util.Locale.ROOT));
      }
      if (pkg == null) {
        throw bad(at, "a rule needs 'package:' (with 'minVersion:' or 'absent: true') or "
            + "'update:'");
      }
      if (!pkg.matches("[a-z0-9][a-z0-9+.-]*") || pkg.length() > 256) {
        throw bad(at + ".package", "not a package name: '" + pkg + "'");
      }
      JsonNode ab = r.get("absent");
      boolean absent = false;
      if (ab != null && !ab.isNull()) {
        if (!ab.isBoolean()) {
          throw bad(at + ".absent", "must be true or false");
        }
        absent = ab.booleanValue();
      }
      String min = version(r.get("minVersion"), at + ".minVersion");
      if (absent && min != null) {
        throw bad(at, "'absent: true' and 'minVersion:' contradict each other");
      }
      if (!absent && min == null) {
        throw bad(at, "package rule needs 'minVersion:' or 'absent: true'");
      }
      return new StaticRule(pkg, min, absent, null);
    }

    String version(JsonNode n, String at) throws BaselineException {
      if (n == null || n.isNull()) {
        return null;
      }
      if (n.isFloatingPointNumber()) {
        throw bad(at, "YAML read " + n.asText() + " as a number; quote the version");
      }
      if (!n.isTextual() && !n.isIntegralNumber()) {
        throw bad(at, "must be a version string");
      }
      String v = n.asText();
      try {
        DebVersion.parse(v);
      } catch (IllegalArgumentException e) {
        throw bad(at, "not a valid version: " + e.getMessage());
      }
      return v.strip();
    }

    List<String> selectors(JsonNode n, String at) throws BaselineException {
      List<String> out = strings(n, at);
      for (int i = 0; i < out.size(); i++) {
        String s = out.get(i);
        int eq = s.indexOf('=');
        String glob = eq < 0 ? s : s.substring(0, eq);
        String p = Glob.problem(glob);
        if (p != null) {
          throw bad(at + "[" + i + "]", p);
        }
        if (eq >= 0) {
          try {
            DebVersion.parse(s.substring(eq + 1));
          } catch (IllegalArgumentException e) {
            throw bad(at + "[" + i + "]", "not a valid version after '=': " + e.getMessage());
          }
        }
      }
      return out;
    }

    List<String> globs(JsonNode n, String at) throws BaselineException {
      List<String> out = strings(n, at);
      for (int i = 0; i < out.size(); i++) {
        String p = Glob.problem(out.get(i));
        if (p != null) {
          throw bad(at + "[" + i + "]", p);
        }
      }
      return out;
    }

    static List<String> orAll(List<String> globs) {
      return globs.isEmpty() ? List.of("*") : globs;
    }

    List<String> words(JsonNode n, String at) throws BaselineException {
      List<String> out = strings(n, at);
      for (int i = 0; i < out.size(); i++) {
        String w = out.get(i);
        if (w.isEmpty() || w.chars().anyMatch(c -> Character.isWhitespace(c)
            || Character.isISOControl(c))) {
          throw bad(at + "[" + i + "]", "must be one word: '" + w + "'");
        }
      }
      return List.copyOf(new LinkedHashSet<>(out));
    }

    /** A list of strings (a single string is taken as a list of one). */
    List<String> strings(JsonNode n, String at) throws BaselineException {
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (n.isTextual()) {
        return List.of(n.textValue());
      }
      list(n, at);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        if (!e.isTextual() && !e.isIntegralNumber()) {
          throw bad(at + "[" + i + "]", "must be a string");
        }
        out.add(e.asText());
      }
      return out;
    }

    String name(JsonNode o, String at) throws BaselineException {
      String name = requiredText(o.get("name"), at + ".name");
      if (name.isBlank() || name.length() > 128
          || name.chars().anyMatch(Character::isISOControl)) {
        throw bad(at + ".name", "must be a non-empty name of at most 128 characters");
      }
      return name;
    }

    String requiredText(JsonNode n, String at) throws BaselineException {
      String s = optionalText(n, at);
      if (s == null) {
        throw bad(at, "missing");
      }
      return s;
    }

    String optionalText(JsonNode n, String at) throws BaselineException {
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isTextual() && !n.isIntegralNumber()) {
        throw bad(at, "must be a string");
      }
      return n.asText();
    }

    void list(JsonNode n, String at) throws BaselineException {
      if (!n.isArray()) {
        throw bad(at, "must be a list");
      }
      if (n.size() > MAX_LIST) {
        throw bad(at, "more than " + MAX_LIST + " entries");
      }
    }

    void object(JsonNode n, String at, Set<String> keys) throws BaselineException {
      if (n == null || !n.isObject()) {
        throw bad(at.isEmpty() ? "" : at, "must be a mapping");
      }
      Iterator<String> it = n.fieldNames();
      while (it.hasNext()) {
        String k = it.next();
        if (!keys.contains(k)) {
          throw bad(at.isEmpty() ? k : at + "." + k, "unknown key '" + k + "' (expected one of "
              + String.join(", ", keys.stream().sorted().toList()) + ")");
        }
      }
    }
  }
}
