/**
 * Host of ranker.wgsl: the ranking network for all candidates of a call in three dispatches of
 * one compute pass (text projection, user/query context, candidates), with the weights uploaded once. It owns its GPUDevice rather than sharing
 * TF.js's: the fused path then needs no TF.js WebGPU backend at all (whose shader compiles cost
 * seconds on a software adapter), and a lost device is ours to recreate without touching TF.js.
 */
import { ASPECTS, historyFeaturesOn, matchColumns, userFeaturesOf, type RankerConfig } from '../model/config.ts';
import { paramSpecs } from '../model/params.ts';
import type { InputArrays } from '../features/inputs.ts';
import type { StaticTable } from '../encoder/static-table.ts';

export interface FusedOutputs {
  ctr: Float32Array;
  rel: Float32Array;
  /** [B, A] item gating weights, A = the model's item aspects. */
  weights: Float32Array;
  /** With tokens: the vector the kernel pooled for each text row that had tokens, by row. */
  pooled?: Map<number, Float32Array>;
}

/** Token ids per text row (a row with none reads its vector from the text table), flattened as WordPooling.tokenize gives them. */
export interface RowTokens {
  ids: Int32Array;
  /** [textRows + 1]: row r's tokens are ids[offsets[r] .. offsets[r + 1]). */
  offsets: Int32Array;
}

const WORDS_HEADER = 8;
/** n workgroups as a grid of at most 65,535 across (WebGPU's per-dimension limit). */
const grid = (n: number): [number, number] => [Math.min(n, 65535), Math.ceil(n / 65535)];

/**
 * The word table for the kernel's `words` binding: a header (format, low bits, low plane bytes a row,
 * and where each part starts, in u32), then the stored bytes as they are, the scales and the codebook.
 */
export function packWords(t: StaticTable): Uint32Array {
  const u32s = (bytes: number) => Math.ceil(bytes / 4);
  const planes = t.format === 'int8' ? [new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength)] : [t.hi, t.lo];
  const codebook = t.format === 'codes' ? t.codebook : new Float32Array(0);
  const at: number[] = [];
  let n = WORDS_HEADER;
  for (const p of planes) {
    at.push(n);
    n += u32s(p.byteLength);
  }
  const scaleAt = n;
  const cbAt = scaleAt + t.rows;
  const out = new Uint32Array(cbAt + codebook.length);
  const bytes = new Uint8Array(out.buffer);
  planes.forEach((p, i) => bytes.set(p, at[i] * 4));
  new Float32Array(out.buffer, scaleAt * 4, t.rows).set(t.scales);
  new Float32Array(out.buffer, cbAt * 4, codebook.length).set(codebook);
  const lb = t.format === 'codes' ? t.bits - 4 : 0;
  out.set([t.format === 'int8' ? 1 : 2, lb, t.format === 'codes' && lb ? t.lo.byteLength / t.rows : 0, at[0], at[1] ?? 0, scaleAt, cbAt, t.rows]);
  return out;
}


/**
 * All weights in one buffer, and the WGSL constants (shapes, offsets, flags) for this model. Names
 * and offsets come from paramSpecs (each spec names its kernel constant); `kernel` is the WGSL
 * source, and a parameter it never reads is an error rather than a weight silently left out.
 */
/**
 * The kernel's scratch memory, region by region (sizes in floats), in order; the kernel reads
 * region R at S_R. The user tower's sequence tensors first, then what the context pass leaves for
 * the candidates.
 */
export function scratchLayout(c: RankerConfig): { offsets: Record<string, number>; floats: number } {
  const N = c.historyLength;
  const H = c.hidden;
  const xhw = c.domainAdaptive ? c.daDim : 5 * H;
  const regions: [string, number][] = [
    ['H', N * H], // the behaviour sequence's event embeddings
    ['Q', N * H], // attention queries, keys, values and output
    ['K', N * H],
    ['V', N * H],
    ['ATT', N * H],
    ['H1', N * H], // after the first layer norm
    ['H2', N * H], // a temporary, then after the feed-forward
    ['SC', N * N], // attention scores
    ['F1', 2 * N * H], // the feed-forward's hidden layer
    ['U', H], // E(U)
    ['QA', 3 * H], // the query's aspects: id, text, sparse
    ['QD', c.maxDomains * H], // E(Q) gated for each domain
    ['PRE', c.maxDomains * xhw], // each domain's part of x_hat
  ];
  const offsets: Record<string, number> = {};
  let at = 0;
  for (const [name, size] of regions) {
    offsets[name] = at;
    at += size;
  }
  return { offsets, floats: at };
}

export function packModel(c: RankerConfig, params: Map<string, Float32Array>, kernel: string): { weights: Float32Array; preamble: string; aspects: number } {
  // The config's own parameters only: an aspect it leaves out (rerank's withoutAspects) is left out
  // of the kernel entirely, as rankerForward leaves it out.
  const specs = paramSpecs(c);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const weights = new Float32Array(total);
  // Every offset the kernel reads is defined (0 where the model lacks that part: the kernel's flags keep it unread).
  const off: Record<string, number> = Object.fromEntries([...kernel.matchAll(/\bOFF_([A-Z0-9_]+)\b/g)].map((m) => [m[1], 0]));
  let at = 0;
  for (const s of specs) {
    const v = params.get(s.name);
    if (!v) throw new Error(`fused ranker: missing parameter ${s.name}`);
    if (v.length !== s.shape.reduce((a, b) => a * b, 1)) throw new Error(`fused ranker: parameter ${s.name} has ${v.length} values, its shape [${s.shape}] needs ${s.shape.reduce((a, b) => a * b, 1)}`);
    if (!(s.kernel in off)) throw new Error(`fused ranker: the kernel cannot place parameter ${s.name} (it never reads OFF_${s.kernel})`);
    weights.set(v, at);
    off[s.kernel] = at;
    at += v.length;
  }
  // The model's other parameters may only be those of aspects this kernel leaves out (withoutAspects).
  const allAspects = new Set(paramSpecs({ ...c, aspects: [...ASPECTS] }).map((s) => s.name));
  const unknown = [...params.keys()].filter((n) => !allAspects.has(n));
  if (unknown.length) throw new Error(`fused ranker: the kernel cannot place parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (not in this config's paramSpecs)`);
  const names = new Set(specs.map((s) => s.name));
  const has = (n: string) => names.has(n);
  const itemAspects = [has('emb.id'), has('lm.w'), has('sparse.item.1.w')].filter(Boolean).length;
  const querySlots = [has('emb.id') ? 0 : -1, has('lm.w') ? 1 : -1, has('sparse.context.1.w') ? 2 : -1].filter((x) => x >= 0);
  const u = (n: number) => `${n}u`;
  const consts: Record<string, string> = {
    H: u(c.hidden), D: u(c.textDim), N: u(c.historyLength), SD: u(c.sparseDim), IDB: u(c.idBuckets), SPB: u(c.sparseBuckets), MAXDOM: u(c.maxDomains), ACTIONS: u(c.actions.length),
    FI: u(c.itemFeatures.categorical.length), NI: u(c.itemFeatures.numeric.length), NIM: u(c.itemFeatures.numeric.length - matchColumns(c)), FE: u(c.contextFeatures.categorical.length), NE: u(c.contextFeatures.numeric.length),
    FU: u(userFeaturesOf(c).categorical.length), NU: u(userFeaturesOf(c).numeric.length),
    A: u(itemAspects), QUERY_ASPECTS: u(querySlots.length), EXP: u(c.experts), DE: u(c.expertDim), TD: u(c.towerDim),
    XHW: u(c.domainAdaptive ? c.daDim : 5 * c.hidden), XW: u(6 * c.hidden),
    GATING: u(c.gating === 'mean' ? 0 : c.gating === 'cls' ? 1 : 2),
  };
  const flags: Record<string, boolean> = {
    HAS_ID: has('emb.id'), HAS_TEXT: has('lm.w'), HAS_ITEM_SPARSE: has('sparse.item.1.w'), HAS_CTX_SPARSE: has('sparse.context.1.w'), HAS_DA: c.domainAdaptive,
    HAS_USER_SPARSE: has('sparse.user.1.w'), MASK_IDS: c.unknownIds === 'mask', HAS_HIST_SPARSE: historyFeaturesOn(c) && has('sparse.item.1.w'), HAS_MATCH: has('match.w'),
  };
  const pad = [...querySlots, 0, 0, 0].slice(0, 3);
  const preamble = [
    ...Object.entries(consts).map(([k, v]) => `const ${k}: u32 = ${v};`),
    ...Object.entries(flags).map(([k, v]) => `const ${k}: bool = ${v};`),
    ...Object.entries(off).map(([k, v]) => `const OFF_${k}: u32 = ${v}u;`),
    ...Object.entries(scratchLayout(c).offsets).map(([k, v]) => `const S_${k}: u32 = ${v}u;`),
    `const QUERY_ASPECT_SLOT = array<u32, 3>(${pad.map(u).join(', ')});`,
  ].join('\n');
  return { weights, preamble, aspects: itemAspects };
}

interface Pipelines {
  text: GPUComputePipeline;
  textPool: GPUComputePipeline;
  context: GPUComputePipeline;
  candidates: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

// Pipelines are cached per device: a lost device takes its cache with it.
const cache = new WeakMap<GPUDevice, Map<string, Pipelines>>();

function pipelines(device: GPUDevice, code: string): Pipelines {
  const p = cache.get(device)?.get(code);
  if (!p) throw new Error('fused ranker: the pipelines of this kernel were not compiled on this device');
  return p;
}

/**
 * Compiles the four pipelines (two text passes: with and without tokens) with createComputePipelineAsync: the browser compiles them off the
 * calling thread, while the rest of the load (the encoder) goes on, instead of on the first call.
 */
async function compilePipelines(device: GPUDevice, code: string): Promise<Pipelines> {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const cached = perDevice.get(code);
  if (cached) return cached;
  const module = device.createShaderModule({ label: 'kindling-ranker', code });
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const layout = device.createBindGroupLayout({
    label: 'kindling-ranker-layout',
    entries: [entry(0, 'read-only-storage'), entry(1, 'read-only-storage'), entry(2, 'read-only-storage'), entry(3, 'storage'), entry(4, 'storage'), entry(5, 'uniform'), entry(6, 'storage'), entry(7, 'read-only-storage')],
  });
  const pl = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const compile = (name: string, entryPoint: string) => device.createComputePipelineAsync({ label: `kindling-ranker-${name}`, layout: pl, compute: { module, entryPoint } });
  const [text, textPool, context, candidates] = await Promise.all([compile('text', 'text_pass'), compile('text-pool', 'text_pool_pass'), compile('context', 'context_pass'), compile('candidates', 'candidate_pass')]);
  const p = perDevice.get(code) ?? { layout, text, textPool, context, candidates };
  perDevice.set(code, p);
  return p;
}

/** Where a fused call's time went (ms): packing and uploading the inputs, each pass on the GPU, the readback, unpacking. */
export interface PassTimes {
  prepare: number;
  text: number;
  context: number;
  candidates: number;
  readback: number;
  unpack: number;
}

export class FusedRanker {
  private readonly code: string;
  private readonly weights: GPUBuffer;
  private readonly scratch: GPUBuffer;
  private readonly uniform: GPUBuffer;
  /** The encoder's word table (attachWords), or a header that says there is none. */
  private words: GPUBuffer;
  private wordRows = 0;
  private bufs: { ints: GPUBuffer; floats: GPUBuffer; out: GPUBuffer; read: GPUBuffer; texth: GPUBuffer; cap: { i: number; f: number; o: number; t: number } } | undefined;
  readonly aspects: number;
  /** Tests set this: every call then runs inside a validation error scope and throws on an error. */
  static validate = false;
  /**
   * The benchmark sets this to a list: every call then runs its three passes as three submits, waits for
   * each on the GPU, and appends how long each took (ms), with the readback's and the JS's around them.
   * Slower than a normal call (three round trips instead of one); for finding where the time goes.
   */
  static profile: PassTimes[] | undefined;
  /**
   * Whether the recommender hands the static encoder's texts to the kernel as tokens (the default) or
   * encodes them in JS first, as before the kernel could pool: the benchmark turns it off to compare.
   */
  static poolTexts = true;

  /** Compiles the kernel for this model and uploads its weights. */
  static async create(device: GPUDevice, c: RankerConfig, params: Map<string, Float32Array>): Promise<FusedRanker> {
    // Imported on first use: Node (training, the CLI) never loads the WGSL source.
    const { default: kernel } = await import('./ranker.wgsl?raw');
    const host = new FusedRanker(device, c, params, kernel);
    try {
      await compilePipelines(device, host.code); // now, not on the first call
    } catch (err) {
      host.destroyBuffers();
      throw err;
    }
    return host;
  }

  private constructor(readonly device: GPUDevice, private readonly c: RankerConfig, params: Map<string, Float32Array>, kernel: string) {
    const packed = packModel(c, params, kernel);
    this.aspects = packed.aspects;
    this.code = `${packed.preamble}\n${kernel}`;
    this.weights = device.createBuffer({ label: 'kindling-weights', size: packed.weights.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.weights, 0, packed.weights as Float32Array<ArrayBuffer>);
    this.scratch = device.createBuffer({ label: 'kindling-scratch', size: 4 * scratchLayout(c).floats, usage: GPUBufferUsage.STORAGE });
    this.uniform = device.createBuffer({ label: 'kindling-call', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.words = device.createBuffer({ label: 'kindling-words', size: WORDS_HEADER * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  /**
   * Uploads the static encoder's word table (once; it may come after create(): the kernel compiles
   * while the encoder loads). From then on run() takes token ids for the texts it has no vector for.
   */
  attachWords(t: StaticTable) {
    if (t.dim !== this.c.textDim) throw new Error(`fused ranker: the word table has ${t.dim} dimensions, the model reads ${this.c.textDim}`);
    const packed = packWords(t);
    const buf = this.device.createBuffer({ label: 'kindling-words', size: packed.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buf, 0, packed as Uint32Array<ArrayBuffer>);
    this.words.destroy();
    this.words = buf;
    this.wordRows = t.rows;
  }

  /** Whether run() can pool tokens (attachWords was called). */
  get hasWords() {
    return this.wordRows > 0;
  }

  /**
   * The call's buffers, at least as large as asked (bytes): integer inputs, float inputs, outputs
   * (and their readback), projected text rows. They grow to the next power of two and are reused.
   */
  private buffersFor(intBytes: number, floatBytes: number, outBytes: number, textBytes: number) {
    const b = this.bufs;
    if (b && b.cap.i >= intBytes && b.cap.f >= floatBytes && b.cap.o >= outBytes && b.cap.t >= textBytes) return b;
    for (const buf of [b?.ints, b?.floats, b?.out, b?.read, b?.texth]) buf?.destroy();
    const grow = (n: number) => Math.max(256, 2 ** Math.ceil(Math.log2(n)));
    const cap = { i: grow(intBytes), f: grow(floatBytes), o: grow(outBytes), t: grow(textBytes) };
    const d = this.device;
    this.bufs = {
      cap,
      ints: d.createBuffer({ label: 'kindling-ints', size: cap.i, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      floats: d.createBuffer({ label: 'kindling-floats', size: cap.f, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      out: d.createBuffer({ label: 'kindling-out', size: cap.o, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      read: d.createBuffer({ label: 'kindling-readback', size: cap.o, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
      texth: d.createBuffer({ label: 'kindling-text-h', size: cap.t, usage: GPUBufferUsage.STORAGE }),
    };
    return this.bufs;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Calls run one after another: they share the input, output and readback buffers. With `tokens`
   * (attachWords first), the text rows that have tokens are pooled in the kernel and their vectors come back in `pooled`.
   */
  run(x: InputArrays, tokens?: RowTokens): Promise<FusedOutputs> {
    const next = this.queue.then(() => this.runNow(x, tokens));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(x: InputArrays, tokens?: RowTokens): Promise<FusedOutputs> {
    const t0 = performance.now();
    const B = x.B;
    const T = x.textRows;
    if (B > 65535 * 64) throw new RangeError(`fused ranker: at most ${65535 * 64} candidates a call, got ${B}`);
    if (tokens && !this.hasWords) throw new Error('fused ranker: tokens given, but no word table was attached (attachWords)');
    if (tokens && tokens.offsets.length !== T + 1) throw new Error(`fused ranker: token offsets for ${tokens.offsets.length - 1} rows, the text table has ${T}`);
    if (tokens) for (const id of tokens.ids) if (!(id >= 0 && id < this.wordRows)) throw new RangeError(`fused ranker: token id ${id} is outside the word table of ${this.wordRows} rows`);
    // The history's item features only for a model that reads them (HAS_HIST_SPARSE), after everything else.
    const histFeatures = historyFeaturesOn(this.c);
    const N = this.c.historyLength;
    if (histFeatures && (x.histCat.length !== N * this.c.itemFeatures.categorical.length || x.histNum.length !== N * this.c.itemFeatures.numeric.length)) {
      throw new RangeError(`fused ranker: the model reads history features: histCat and histNum need ${N} rows of ${this.c.itemFeatures.categorical.length} and ${this.c.itemFeatures.numeric.length}, got ${x.histCat.length} and ${x.histNum.length} values`);
    }
    const parts32 = [x.itemId, x.domain, x.itemText, x.itemCat, x.queryId, x.queryText, x.ctxCat, x.histId, x.histText, x.histDomain, x.histAction, x.userCat, ...(histFeatures ? [x.histCat] : [])];
    const base = parts32.reduce((n, p) => n + p.length, 0);
    const ints = new Int32Array(base + (tokens ? T + 1 + tokens.ids.length : 0));
    let w = 0;
    for (const part of parts32) {
      ints.set(part, w);
      w += part.length;
    }
    if (tokens) {
      ints.set(tokens.offsets, base);
      ints.set(tokens.ids, base + T + 1);
    }
    const parts = [x.textTable, x.itemNum, x.ctxNum, x.histMask, x.userNum, x.itemIdKnown, x.queryIdKnown, x.histIdKnown, ...(histFeatures ? [x.histNum] : [])];
    const floats = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of parts) {
      floats.set(part, at);
      at += part.length;
    }
    const stride = 2 + this.aspects;
    // With tokens, the pooled vectors follow the scores in `outputs` (for the vector caches).
    const pooledAt = B * stride;
    const outBytes = (pooledAt + (tokens ? T * this.c.textDim : 0)) * 4;
    const b = this.buffersFor(ints.byteLength, floats.byteLength, outBytes, T * this.c.hidden * 4);
    const q = this.device.queue;
    q.writeBuffer(b.ints, 0, ints);
    q.writeBuffer(b.floats, 0, floats);
    q.writeBuffer(this.uniform, 0, new Uint32Array([B, T, tokens ? base : 0, pooledAt]));
    const p = pipelines(this.device, this.code);
    const bind = this.device.createBindGroup({
      label: 'kindling-ranker-bind',
      layout: p.layout,
      entries: [this.weights, b.ints, b.floats, this.scratch, b.out, this.uniform, b.texth, this.words].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    if (FusedRanker.validate) this.device.pushErrorScope('validation');
    const dispatches: [GPUComputePipeline, number | [number, number], keyof PassTimes][] = [
      // With tokens, one workgroup per text row; without, a thread per (row, output).
      tokens ? [p.textPool, grid(T), 'text'] : [p.text, grid(Math.ceil((T * this.c.hidden) / 64)), 'text'],
      [p.context, 1, 'context'],
      [p.candidates, Math.ceil(B / 64), 'candidates'],
    ];
    const profile = FusedRanker.profile;
    const times: PassTimes = { prepare: performance.now() - t0, text: 0, context: 0, candidates: 0, readback: 0, unpack: 0 };
    if (profile) {
      // A submit per pass, each waited for on the GPU.
      for (const [pipeline, groups, name] of dispatches) {
        const e = this.device.createCommandEncoder({ label: `kindling-${name}` });
        const pass = e.beginComputePass({ label: `kindling-${name}` });
        pass.setBindGroup(0, bind);
        pass.setPipeline(pipeline);
        if (typeof groups === 'number') pass.dispatchWorkgroups(groups);
        else pass.dispatchWorkgroups(...groups);
        pass.end();
        const t = performance.now();
        q.submit([e.finish()]);
        await q.onSubmittedWorkDone();
        times[name] = performance.now() - t;
      }
    }
    const enc = this.device.createCommandEncoder({ label: 'kindling-rerank' });
    if (!profile) {
      const pass = enc.beginComputePass({ label: 'kindling-ranker' });
      pass.setBindGroup(0, bind);
      for (const [pipeline, groups] of dispatches) {
        pass.setPipeline(pipeline);
        if (typeof groups === 'number') pass.dispatchWorkgroups(groups);
        else pass.dispatchWorkgroups(...groups);
      }
      pass.end();
    }
    enc.copyBufferToBuffer(b.out, 0, b.read, 0, outBytes);
    q.submit([enc.finish()]);
    if (FusedRanker.validate) {
      const err = await this.device.popErrorScope();
      if (err) throw new Error(`fused ranker: WebGPU validation error: ${err.message}`);
    }
    const tr = performance.now();
    await b.read.mapAsync(GPUMapMode.READ, 0, outBytes);
    const out = new Float32Array(b.read.getMappedRange(0, outBytes).slice(0));
    b.read.unmap();
    times.readback = performance.now() - tr;
    const tu = performance.now();
    const ctr = new Float32Array(B);
    const rel = new Float32Array(B);
    const weights = new Float32Array(B * this.aspects);
    for (let i = 0; i < B; i++) {
      ctr[i] = out[i * stride];
      rel[i] = out[i * stride + 1];
      weights.set(out.subarray(i * stride + 2, (i + 1) * stride), i * this.aspects);
    }
    let pooled: Map<number, Float32Array> | undefined;
    if (tokens) {
      const D = this.c.textDim;
      pooled = new Map();
      for (let r = 0; r < T; r++) if (tokens.offsets[r + 1] > tokens.offsets[r]) pooled.set(r, out.slice(pooledAt + r * D, pooledAt + (r + 1) * D));
    }
    times.unpack = performance.now() - tu;
    profile?.push(times);
    return { ctr, rel, weights, ...(pooled ? { pooled } : {}) };
  }

  /** Frees every buffer, then the device (it is this host's alone). */
  destroy() {
    this.destroyBuffers();
    this.device.destroy();
  }

  private destroyBuffers() {
    for (const buf of [this.weights, this.scratch, this.uniform, this.words, this.bufs?.ints, this.bufs?.floats, this.bufs?.out, this.bufs?.read, this.bufs?.texth]) buf?.destroy();
    this.bufs = undefined;
  }
}
