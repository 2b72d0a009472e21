/** FNV-1a, 32 bit, over the UTF-16 code units of a string: stable across Node and browsers. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A bucket in [1, buckets): 0 is kept for "none" (no query, padding, missing feature). */
export function bucket(s: string, buckets: number): number {
  return 1 + (fnv1a(s) % (buckets - 1));
}
