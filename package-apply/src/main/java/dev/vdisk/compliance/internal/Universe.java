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
   * installed one. A source record with the installed version string that apt files as another
   * version ({@link DebEntry#sameAs}) counts as a version of its own, ahead of the installed
   * one.
   *
   * @param guest the guest
   * @param key the key
   * @param installed the installed record, or null
   * @return the candidate's entry (the highest-priority suite carrying it), or null when the
   *     candidate is the installed version or there is none
   */
  public DebEntry candidate(DebGuest guest, DebGuest.Key key, DebGuest.Installed installed) {
    return candidate(guest, key, installed == null ? null : installed.entry(),
        installed != null && installed.relationsKnown());
  }

  /**
   * {@link #candidate(DebGuest, DebGuest.Key, DebGuest.Installed)} for a record.
   *
   * @param guest the guest
   * @param key the key
   * @param installed the installed record, or null
   * @param compareRelations whether the record's relationship fields are known (else a source
   *     record of the same version and architecture is taken as the installed version)
   * @return the candidate, or null
   */
  public DebEntry candidate(DebGuest guest, DebGuest.Key key, DebEntry installed,
      boolean compareRelations) {
    List<DebEntry> vs = versions(guest, key);
    if (vs.isEmpty()) {
      return null;
    }
    DebVersion iv = installed == null ? null : installed.version();
    vs.sort((a, b) -> {
      int c = b.version().compareTo(a.version());
      return c != 0 ? c : Integer.compare(b.suite().pinPriority(), a.suite().pinPriority());
    });
    int max = Integer.MIN_VALUE;
    DebEntry pref = null;
    int i = 0;
    while (i < vs.size()) {
      DebVersion v = vs.get(i).version();
      int j = i;
      while (j < vs.size() && vs.get(j).version().equals(v)) {
        j++;
      }
      if (iv != null && v.compareTo(iv) < 0) {
        break; // apt never downgrades below priority 1000
      }
      // the other records of this version string first (apt files them as separate versions)
      int prioOther = Integer.MIN_VALUE;
      DebEntry other = null;
      int prioSame = Integer.MIN_VALUE;
      for (int k = i; k < j; k++) {
        DebEntry e = vs.get(k);
        boolean same = iv != null && v.equals(iv) && (compareRelations ? e.sameAs(installed)
            : e.arch().equals(installed.arch()));
        if (same) {
          prioSame = Math.max(prioSame, e.suite().pinPriority());
        } else if (e.suite().pinPriority() > prioOther) {
          prioOther = e.suite().pinPriority();
          other = e;
        }
      }
      if (other != null && prioOther > max) {
        max = prioOther;
        pref = other;
      }
      if (iv != null && v.equals(iv)) {
        break;
      }
      i = j;
    }
    if (iv != null) {
      // the installed version: priority 100, or its sources' when higher
      int prioInstalled = 100;
      for (DebEntry e : vs) {
        if (e.version().equals(iv) && (compareRelations ? e.sameAs(installed)
            : e.arch().equals(installed.arch()))) {
          prioInstalled = Math.max(prioInstalled, e.suite().pinPriority());
        }
      }
      // a newer version needs at least the installed version's priority; another record of
      // the installed version string needs more (apt keeps the installed one on a tie)
      if (pref == null || prioInstalled > max
          || (prioInstalled == max && pref.version().equals(iv))) {
        return null;
      }
    }
    return pref;
  }
}
