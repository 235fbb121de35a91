package dev.vdisk.baseline;

import java.util.List;
import java.util.Objects;

/**
 * Several baselines evaluated together, chosen by target tags (an SSM patch group).
 *
 * @param name the group's name; the group named {@code default} applies to targets no other
 *     group matches
 * @param baselines the baselines' names
 * @param tags targets carrying any of these tags get this group
 */
public record BaselineGroup(String name, List<String> baselines, List<String> tags) {
  /** Copies the lists. */
  public BaselineGroup {
    Objects.requireNonNull(name, "name");
    baselines = List.copyOf(baselines);
    tags = List.copyOf(tags);
  }
}
