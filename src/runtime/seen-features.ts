/**
 * The features of the candidates a recommender ranked lately, by item ID, so that record() can keep
 * a click's item features when the page did not repeat them (a model trained with history features
 * reads them). Bounded: the least recently ranked IDs go first.
 */
import type { Features } from '../features/features.ts';

export class SeenFeatures {
  private readonly map = new Map<string, Features>();
  constructor(private readonly cap: number) {}

  remember(id: string, features: Features | undefined) {
    if (!features) return;
    this.map.delete(id);
    this.map.set(id, features);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value!);
  }

  get(id: string): Features | undefined {
    return this.map.get(id);
  }

  get size() {
    return this.map.size;
  }
}
