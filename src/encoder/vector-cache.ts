/**
 * Text vectors are cached under `<encoder id>:<sha-256 of the text>`, so a different or rebuilt
 * encoder (a new id) can never be served another encoder's vectors.
 */
import { sha256 } from '../util/digest.ts';
export interface VectorCache {
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  setMany(entries: [string, Float32Array][]): Promise<void>;
  clear(): Promise<void>;
}

export async function vectorKey(encoderId: string, text: string): Promise<string> {
  return `${encoderId}:${await sha256(new TextEncoder().encode(text))}`;
}

/**
 * A persistent cache that may fail (storage quota, private browsing, a blocked IndexedDB): the first
 * failure is reported once, and from then on it answers "not cached" and stores nothing, so encoding
 * goes on. The encoder's own in-memory LRU (keyed by text) sits in front of it.
 */
export class FallibleCache implements VectorCache {
  private failed = false;

  constructor(
    private readonly persistent: VectorCache | undefined,
    /** Called once, when the persistent cache first fails. */
    private readonly onError?: (err: unknown) => void,
  ) {}

  async getMany(keys: string[]): Promise<(Float32Array | undefined)[]> {
    if (keys.length && this.persistent && !this.failed) {
      try {
        return await this.persistent.getMany(keys);
      } catch (err) {
        this.fail(err);
      }
    }
    return keys.map(() => undefined);
  }

  async setMany(entries: [string, Float32Array][]): Promise<void> {
    if (!entries.length || !this.persistent || this.failed) return;
    try {
      await this.persistent.setMany(entries);
    } catch (err) {
      this.fail(err);
    }
  }

  async clear(): Promise<void> {
    if (this.persistent && !this.failed) await this.persistent.clear();
  }

  private fail(err: unknown) {
    this.failed = true;
    this.onError?.(err);
  }
}
