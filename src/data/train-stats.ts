/**
 * What a new model's config is made from, gathered from the training split an event at a time
 * (so a stream too big to hold gives the same config as the whole split in memory): its domains,
 * items and users in order of first appearance, the context features' statistics, and when each
 * ID was first seen.
 */
import { FeatureStats, firstSeen } from './dataset.ts';
import { itemKey } from '../features/history.ts';
import type { EventRow } from './schema.ts';

export class TrainStats {
  readonly domains = new Set<string>();
  readonly items = new Set<string>();
  readonly users = new Set<string>();
  readonly context = new FeatureStats();
  /** firstSeen of the events so far. */
  readonly seen = new Map<string, number>();
  /** Each user's clicked items (item keys): the co-visitation table's input (RankerConfig.historyMatch). */
  readonly clicks = new Map<string, Set<string>>();

  add(e: EventRow) {
    if (e.label === 1 && e.line > 0) (this.clicks.get(e.user) ?? this.clicks.set(e.user, new Set()).get(e.user)!).add(itemKey(e.item));
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
