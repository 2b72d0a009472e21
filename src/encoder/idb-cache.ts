/** The browser's persistent text-vector cache: idb-keyval in a database of Kindling's own. */
import { clear, createStore, getMany, setMany, type UseStore } from 'idb-keyval';
import { VECTOR_DB, VECTOR_STORE } from '../defaults.ts';
import type { VectorCache } from './vector-cache.ts';

export function createIdbVectorCache(dbName = VECTOR_DB, storeName = VECTOR_STORE): VectorCache {
  let store: UseStore | undefined;
  // createStore opens the database; do it on first use, never on import.
  const s = () => (store ??= createStore(dbName, storeName));
  return {
    getMany: (keys) => getMany<Float32Array>(keys, s()),
    setMany: (entries) => setMany(entries, s()),
    clear: () => clear(s()),
  };
}
