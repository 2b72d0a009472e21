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
  private readonly userClicks?: Map<string, Set<string>>;

  /**
   * `clicks`: also keep each user's clicked items (the co-visitation table's input, only a
   * config with RankerConfig.historyMatch needs them). They grow with the distinct (user, item)
   * clicks, not with the catalogue and the users, so they are kept only when asked for.
   */
  constructor(options: { clicks?: boolean } = {}) {
    if (options.clicks) this.userClicks = new Map();
  }

  /** Each user's clicked items (item keys); only when made with `clicks: true`. */
  get clicks(): Map<string, Set<string>> {
    if (!this.userClicks) throw new Error('TrainStats: clicks were not kept (make it with { clicks: true })');
    return this.userClicks;
  }

  add(e: EventRow) {
    const clicks = this.userClicks;
    if (clicks && e.label === 1 && e.line > 0) (clicks.get(e.user) ?? clicks.set(e.user, new Set()).get(e.user)!).add(itemKey(e.item));
    this.domains.add(e.domain);
    this.items.add(e.item);
    this.users.add(e.user);
    this.context.add(e.features);
    firstSeen([e], this.seen);
  }

  static of(events: Iterable<EventRow>, options: { clicks?: boolean } = {}): TrainStats {
    const s = new TrainStats(options);
    for (const e of events) s.add(e);
    return s;
  }
}
