/**
 * A synthetic, Alipay-like world in the data contract's format, seeded and deterministic.
 *
 * Users like a few of 14 topics. Four domains show them lists of items and record clicks:
 *  - search: the user types a query (words of a topic); results carry relevance labels;
 *  - suggest: query-suggestion recommendation (items are query phrases);
 *  - cards: service-card recommendation;
 *  - miniapps: the held-out cold-start domain, with few events.
 * Item titles and queries use different words of a topic (lexicon.json), so only the meaning
 * of the words links them: a pretrained text encoder helps where exact overlap does not.
 * Each item also has a hidden quality that only its clicks (its ID) reveal, clicks fall with
 * the position in the list, and a share of every catalogue appears only late (after the
 * default 80% time split), so those items are cold in the test period.
 */
import { mulberry32, randInt } from '../util/random.ts';
import type { EventRow, ItemRow, UserRow } from '../data/schema.ts';
import lexicon from './lexicon.json';

export interface WorldOptions {
  seed: number;
  users: number;
  /** Requests (lists shown) per domain. */
  requests: Record<string, number>;
  itemsPerDomain: Record<string, number>;
  listLength: number;
  /** Share of each catalogue that is released only in the last `lateFraction` of the timeline. */
  newItemShare: number;
  lateFraction: number;
}

export const DEFAULT_WORLD: WorldOptions = {
  seed: 1,
  users: 1500,
  requests: { search: 2600, suggest: 2400, cards: 2600, miniapps: 240 },
  itemsPerDomain: { search: 420, suggest: 300, cards: 420, miniapps: 160 },
  listLength: 8,
  newItemShare: 0.2,
  lateFraction: 0.2,
};

export const COLD_DOMAIN = 'miniapps';

interface WorldItem extends ItemRow {
  topic: number;
  quality: number;
  releasedAt: number;
}

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[randInt(rand, xs.length)];
const gauss = (rand: Rand) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const TOPICS = Object.entries(lexicon.topics);
const BRANDS = Array.from({ length: 24 }, (_, i) => `b${i}`);

function title(rand: Rand, domain: string, topic: number): string {
  const t = TOPICS[topic][1];
  switch (domain) {
    case 'suggest':
      return `${pick(rand, lexicon.verbs)} ${pick(rand, t.items)} ${pick(rand, t.items)}`;
    case 'cards':
      return `${pick(rand, lexicon.adjectives)} ${pick(rand, t.items)} ${pick(rand, t.services)}`;
    case 'miniapps':
      return `${pick(rand, t.items)} ${pick(rand, t.services)} ${pick(rand, ['app', 'mini', 'lite', 'go'])}`;
    default:
      return `${pick(rand, t.items)} ${pick(rand, t.items)} ${pick(rand, t.services)}`;
  }
}

export function generateWorld(o: WorldOptions = DEFAULT_WORLD): { items: ItemRow[]; events: EventRow[]; users: UserRow[] } {
  const rand = mulberry32(o.seed);
  const T = TOPICS.length;
  const horizon = 1_000_000; // timeline in seconds
  const lateStart = horizon * (1 - o.lateFraction);

  const items: WorldItem[] = [];
  for (const [domain, count] of Object.entries(o.itemsPerDomain)) {
    for (let i = 0; i < count; i++) {
      const topic = i % T;
      const late = rand() < o.newItemShare;
      items.push({
        id: `${domain}-${i}`,
        text: title(rand, domain, topic),
        domain,
        // A noisy category: right 60% of the time, so features help but do not give the topic away.
        features: { category: TOPICS[rand() < 0.6 ? topic : randInt(rand, T)][0], brand: pick(rand, BRANDS), price: Math.round(1 + rand() * 4) },
        topic,
        quality: gauss(rand) * 0.8,
        releasedAt: late ? lateStart + rand() * horizon * o.lateFraction * 0.5 : 0,
      });
    }
  }
  const byDomain = new Map<string, WorldItem[]>();
  for (const it of items) byDomain.set(it.domain!, [...(byDomain.get(it.domain!) ?? []), it]);

  const prefs = Array.from({ length: o.users }, () => {
    const p = new Float64Array(T).map(() => gauss(rand) * 0.3 - 0.6);
    p[randInt(rand, T)] = 2.2;
    p[randInt(rand, T)] = 1.6;
    p[randInt(rand, T)] = Math.max(p[randInt(rand, T)], 1.0);
    return p;
  });

  const raw: Omit<EventRow, 'line'>[] = [];
  for (const [domain, requests] of Object.entries(o.requests)) {
    const pool = byDomain.get(domain) ?? [];
    for (let r = 0; r < requests; r++) {
      const ts = Math.floor(rand() * horizon);
      const u = randInt(rand, o.users);
      const pref = prefs[u];
      const available = pool.filter((it) => it.releasedAt <= ts);
      // Lists lean towards what the user likes (as a production ranker would have shown),
      // and new items get a boost when they are released, so they are seen in the test period.
      let qTopic = -1;
      let query: string | undefined;
      if (domain === 'search') {
        qTopic = rand() < 0.75 ? pref.indexOf(Math.max(...pref)) : randInt(rand, T);
        if (rand() < 0.5) qTopic = [...pref.keys()].sort((a, b) => pref[b] - pref[a])[randInt(rand, 2)];
        const words = TOPICS[qTopic][1].queries;
        query = `${pick(rand, words)} ${pick(rand, words)}`;
      }
      const weightOf = (it: WorldItem) => (it.topic === qTopic ? 4 : 1) * (it.releasedAt > 0 ? 2 : 1) * Math.exp(0.3 * pref[it.topic]);
      const shown: WorldItem[] = [];
      const cand = [...available];
      while (shown.length < o.listLength && cand.length) {
        const total = cand.reduce((s, it) => s + weightOf(it), 0);
        let x = rand() * total;
        let k = 0;
        while (k < cand.length - 1 && (x -= weightOf(cand[k])) > 0) k++;
        shown.push(cand.splice(k, 1)[0]);
      }
      shown.forEach((it, pos) => {
        const relevant = qTopic >= 0 ? (it.topic === qTopic ? 1 : 0) : 0;
        const logit = -2.3 + 1.1 * pref[it.topic] + it.quality - 0.25 * pos + (qTopic >= 0 ? 2.2 * relevant - 0.8 : 0);
        const label = rand() < sigmoid(logit) ? 1 : 0;
        raw.push({
          user: `u${u}`,
          ts,
          domain,
          item: it.id,
          label: label as 0 | 1,
          ...(query !== undefined ? { query, relevance: relevant as 0 | 1 } : {}),
          features: { position: pos },
        });
      });
    }
  }
  raw.sort((a, b) => a.ts - b.ts);
  const events = raw.map((e, i) => ({ ...e, line: i + 1 }));
  // User features (written only with `generate --user-features`), from a generator of their own so
  // the events are the same with or without them: a noisy segment (the user's favourite topic 60%
  // of the time) and an age that decides nothing.
  const urand = mulberry32(o.seed ^ 0x5eed5);
  const users: UserRow[] = prefs.map((p, u) => ({
    id: `u${u}`,
    features: { segment: TOPICS[urand() < 0.6 ? p.indexOf(Math.max(...p)) : randInt(urand, T)][0], age: 18 + randInt(urand, 53) },
  }));
  return { items: items.map(({ id, text, domain, features }) => ({ id, text, domain, features })), events, users };
}
