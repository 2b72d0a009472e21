/**
 * Which IDs the model has learnt. An item (or query) ID is known when it was clicked (typed) in
 * the training split; with `unknownIds: 'mask'` an unknown ID takes no part in ranking: its ID
 * aspect is left out of the gating (text and sparse take its weight) and a history event adds no
 * ID embedding. Without this, a new item reads whatever its hashed bucket holds: a colliding
 * item's embedding, or a row that training only ever saw as a sampled negative.
 *
 * The set ships in the config as sorted 32-bit fingerprints (base64): 4 bytes an ID, exact up to
 * fingerprint collisions (about 1 in 600,000 for 7,000 IDs), unlike the bucket index itself.
 */
import { fnv1a } from '../util/hash.ts';
import type { RankerConfig } from './config.ts';

const fingerprint = (key: string) => fnv1a(`known\u0000${key}`);

/** Sorted little-endian 32-bit fingerprints, base64. */
function encode(fps: Iterable<number>): string {
  const sorted = Uint32Array.from(new Set(fps)).sort();
  const bytes = new Uint8Array(sorted.length * 4);
  const view = new DataView(bytes.buffer);
  sorted.forEach((f, i) => view.setUint32(i * 4, f, true));
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The config's `knownIds` for these ID keys (itemKey / queryKey). */
export function encodeKnownIds(keys: Iterable<string>): string {
  return encode([...keys].map(fingerprint));
}

function decode(b64: string): Set<number> {
  const bin = atob(b64);
  const view = new DataView(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)).buffer);
  const out = new Set<number>();
  for (let i = 0; i + 4 <= view.byteLength; i += 4) out.add(view.getUint32(i, true));
  return out;
}

/** Adds keys to a config's known set (fine-tuning learns the new domain's items). */
export function withKnownIds(c: RankerConfig, keys: Iterable<string>): RankerConfig {
  if (c.unknownIds !== 'mask') return c;
  return { ...c, knownIds: encode([...decode(c.knownIds ?? ''), ...[...keys].map(fingerprint)]) };
}

const sets = new WeakMap<RankerConfig, Set<number>>();

/** `key => known` for this model; every ID is known to a model that does not mask (`hash`). */
export function knownIdTest(c: RankerConfig): (key: string) => boolean {
  if (c.unknownIds !== 'mask') return () => true;
  let s = sets.get(c);
  if (!s) sets.set(c, (s = decode(c.knownIds ?? '')));
  const set = s;
  return (key) => set.has(fingerprint(key));
}
