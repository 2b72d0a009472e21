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

/** A bounded in-memory layer (least recently used goes first) over an optional persistent cache. */
export class LayeredVectorCache implements VectorCache {
  private readonly memory = new Map<string, Float32Array>();

  constructor(
    private readonly limit: number,
    private readonly persistent?: VectorCache,
    /** Called once when the persistent cache fails; from then on only memory is used. */
    private readonly onPersistentError?: (err: unknown) => void,
  ) {}

  private persistentFailed = false;

  private remember(key: string, v: Float32Array) {
    this.memory.delete(key);
    this.memory.set(key, v);
    if (this.memory.size > this.limit) this.memory.delete(this.memory.keys().next().value!);
  }

  async getMany(keys: string[]): Promise<(Float32Array | undefined)[]> {
    const out = keys.map((k) => this.memory.get(k));
    const missing = keys.flatMap((k, i) => (out[i] ? [] : [i]));
    if (missing.length && this.persistent && !this.persistentFailed) {
      try {
        const found = await this.persistent.getMany(missing.map((i) => keys[i]));
        found.forEach((v, j) => {
          if (v) out[missing[j]] = v;
        });
      } catch (err) {
        this.fail(err);
      }
    }
    out.forEach((v, i) => v && this.remember(keys[i], v));
    return out;
  }

  async setMany(entries: [string, Float32Array][]): Promise<void> {
    for (const [k, v] of entries) this.remember(k, v);
    if (!entries.length || !this.persistent || this.persistentFailed) return;
    try {
      await this.persistent.setMany(entries);
    } catch (err) {
      this.fail(err);
    }
  }

  async clear(): Promise<void> {
    this.memory.clear();
    if (this.persistent && !this.persistentFailed) await this.persistent.clear();
  }

  private fail(err: unknown) {
    this.persistentFailed = true;
    this.onPersistentError?.(err);
  }
}
