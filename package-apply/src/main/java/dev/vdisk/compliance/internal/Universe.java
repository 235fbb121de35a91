package dev.vdisk.compliance.internal;

import dev.vdisk.deb.DebVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The package versions a baseline may draw on: its sources' suites, narrowed by a filter.
 *
 * @param suites the suites
 * @param allowed which versions count (the dynamic rule's filters), always true when unfiltered
 */
public record Universe(List<SuiteIndex> suites, Predicate<DebEntry> allowed) {

  /**
   * The versions of a package that a guest could install for a key's architecture.
   *
   * @param guest the guest
   * @param key the package and architecture
   * @return the versions, every suite's entry separately
   */
  public List<DebEntry> versions(DebGuest guest, DebGuest.Key key) {
    List<DebEntry> out = new ArrayList<>(2);
    for (SuiteIndex s : suites) {
      for (DebEntry e : s.byName().getOrDefault(key.name(), List.of())) {
        if (guest.installable(e.arch()) && guest.archKey(e.arch()).equals(key.arch())
            && allowed.test(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /**
   * Whether any suite carries the package for this architecture, in any version.
   *
   * @param guest the guest
   * @param key the key
   * @return whether it is carried
   */
  public boolean carries(DebGuest guest, DebGuest.Key key) {
    for (SuiteIndex s : suites) {
      for (DebEntry e : s.byName().getOrDefault(key.name(), List.of())) {
        if (guest.installable(e.arch()) && guest.archKey(e.arch()).equals(key.arch())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a suite carries exactly this version for the key.
   *
   * @param guest the guest
   * @param key the key
   * @param v the version
   * @return whether it does
   */
  public boolean carriesVersion(DebGuest guest, DebGuest.Key key, DebVersion v) {
    for (SuiteIndex s : suites) {
      for (DebEntry e : s.byName().getOrDefault(key.name(), List.of())) {
        if (guest.archKey(e.arch()).equals(key.arch()) && e.version().equals(v)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The entries providing a name, for a guest's architectures.
   *
   * @param guest the guest
   * @param name the provided name
   * @return the providers
   */
  public List<DebEntry> providers(DebGuest guest, String name) {
    List<DebEntry> out = new ArrayList<>();
    for (SuiteIndex s : suites) {
      for (DebEntry e : s.providers().getOrDefault(name, List.of())) {
        if (guest.installable(e.arch()) && allowed.test(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /**
   * The candidate apt would choose for a key: the version with the highest pin priority (500,
   * 100 for {@code NotAutomatic} + {@code ButAutomaticUpgrades}, 1 for {@code NotAutomatic}; the
   * installed version 100), the higher version among equals, never a version below the
   * installed one.
   *
   * @param guest the guest
   * @param key the key
   * @param installed the installed version, or null
   * @return the candidate's entry (the highest-priority suite carrying it), or null when the
   *     candidate is the installed version or there is none
   */
  public DebEntry candidate(DebGuest guest, DebGuest.Key key, DebVersion installed) {
    List<DebEntry> vs = versions(guest, key);
    if (vs.isEmpty()) {
      return null;
    }
    vs.sort((a, b) -> {
      int c = b.version().compareTo(a.version());
      return c != 0 ? c : Integer.compare(b.suite().pinPriority(), a.suite().pinPriority());
    });
    int max = Integer.MIN_VALUE;
    DebEntry pref = null;
    boolean prefInstalled = false;
    boolean passedInstalled = false;
    int i = 0;
    while (i < vs.size()) {
      DebVersion v = vs.get(i).version();
      DebEntry best = vs.get(i);
      int prio = Integer.MIN_VALUE;
      int j = i;
      for (; j < vs.size() && vs.get(j).version().equals(v); j++) {
        prio = Math.max(prio, vs.get(j).suite().pinPriority());
      }
      if (installed != null && !passedInstalled && v.compareTo(installed) < 0) {
        // the installed version comes before every older one
        if (100 > max) {
          max = 100;
          pref = null;
          prefInstalled = true;
        }
        passedInstalled = true;
        break;
      }
      boolean isInstalled = installed != null && v.equals(installed);
      if (isInstalled) {
        prio = Math.max(prio, 100);
      }
      if (prio > max) {
        max = prio;
        pref = isInstalled ? null : best;
        prefInstalled = isInstalled;
      }
      if (isInstalled) {
        passedInstalled = true;
        break; // apt never downgrades below priority 1000
      }
      i = j;
    }
    if (installed != null && !passedInstalled && 100 > max) {
      return null;
    }
    return prefInstalled ? null : pref;
  }
}
