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
    List<DebEntry> inOrder = versions(guest, key);
    if (inOrder.isEmpty()) {
      return null;
    }
    DebVersion iv = installed == null ? null : installed.version();
    List<DebEntry> vs = new ArrayList<>(inOrder);
    // newest first; a stable sort keeps the sources' order among records of one version
    vs.sort((a, b) -> b.version().compareTo(a.version()));
    int max = Integer.MIN_VALUE;
    DebEntry pref = null;
    int i = 0;
    while (i < vs.size()) {
      DebVersion v = vs.get(i).version();
      int j = i;
      while (j < vs.size() && vs.get(j).version().equals(v)) {
        j++;
      }
      if (iv != null && v.compareTo(iv) <= 0) {
        break;
      }
      // records apt files as one version share a priority (the highest); the first of the
      // highest wins
      for (int k = i; k < j; k++) {
        DebEntry e = vs.get(k);
        int prio = e.suite().pinPriority();
        for (int m = i; m < j; m++) {
          if (vs.get(m).sameAs(e)) {
            prio = Math.max(prio, vs.get(m).suite().pinPriority());
          }
        }
        if (prio > max) {
          max = prio;
          pref = e;
        }
      }
      i = j;
    }
    if (iv == null) {
      return pref;
    }
    // the installed version string: apt files the sources' records in their order, the
    // installed record merged into the one it equals, or after them all when it equals none
    List<DebEntry> same = new ArrayList<>();
    for (DebEntry e : vs) {
      if (e.version().equals(iv)) {
        same.add(e);
      }
    }
    boolean merged = false;
    for (DebEntry e : same) {
      boolean isInstalled = compareRelations ? e.sameAs(installed)
          : e.arch().equals(installed.arch());
      int prio = e.suite().pinPriority();
      for (DebEntry o : same) {
        if (o.sameAs(e)) {
          prio = Math.max(prio, o.suite().pinPriority());
        }
      }
      if (isInstalled) {
        prio = Math.max(prio, 100);
        merged = true;
        if (prio > max) {
          return null;
        }
        return pref; // apt stops at the installed version
      }
      if (prio > max) {
        max = prio;
        pref = e;
      }
    }
    if (!merged && 100 > max) {
      return null;
    }
    return pref;
  }
}
