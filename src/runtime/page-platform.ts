/** Where a recommender runs in a browser (a page or a worker): fetch for files, IndexedDB for the history. */
import { webPlatform } from '../encoder/platform.ts';
import { idbStore, memoryStore } from '../store/behaviour-store.ts';
import type { RuntimePlatform } from './recommender.ts';

export const pagePlatform: RuntimePlatform = {
  ...webPlatform,
  createStore: (cap, onWarning, memoryOnly) => (memoryOnly ? memoryStore(cap) : idbStore(cap, onWarning)),
};
