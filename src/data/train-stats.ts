/**
 * What a new model's config is made from, gathered from the training split an event at a time
 * (so a stream too big to hold gives the same config as the whole split in memory): its domains,
 * items and users in order of first appearance, the context features' statistics, and when each
 * ID was first seen.
 */
import { FeatureStats, firstSeen } from './dataset.ts';
import type { EventRow } from './schema.ts';

export class TrainStats {
  readonly domains = new Set<string>();
  readonly items = new Set<string>();
  readonly users = new Set<string>();
  readonly context = new FeatureStats();
  /** firstSeen of the events so far. */
  readonly seen = new Map<string, number>();

  add(e: EventRow) {
    this.domains.add(e.domain);
    this.items.add(e.item);
    this.users.add(e.user);
    this.context.add(e.features);
    firstSeen([e], this.seen);
  }

  static of(events: Iterable<EventRow>): TrainStats {
    const s = new TrainStats();
    for (const e of events) s.add(e);
    return s;
  }
}
