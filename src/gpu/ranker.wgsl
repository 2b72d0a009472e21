// The whole ranking network of src/model/ranker.ts for one rerank call, in three dispatches:
//   text_pass      (T*H threads): E_lm of every distinct text of the call, into `texth`; or, in a call
//   text_pool_pass  with tokens, 1 workgroup per text row: the row's vector phi (from `floats`, or
//                   pooled here from its tokens' rows of the word table), then E_lm.
//   context_pass   (1 workgroup):  the user tower over the behaviour sequence (its events' item features
//                                  through the item MLP, when the model reads them; plus the user's
//                                  features through their MLP, when the model has them), the query's aspects,
//                                  and everything a candidate's domain decides alone (E(Q) after
//                                  gating, and the U / Q / E_D part of the domain-adaptive layer).
//   candidate_pass (1 thread per candidate): item aspects, gating, the rest of the domain-adaptive
//                                  layer, MMoE, both towers; written to `outputs`. One thread per
//                                  candidate means every weight read is the same address across a
//                                  SIMD group (a broadcast), and there is no barrier at all.
// The host prepends the constants (shapes, weight offsets, flags) for the loaded model.
// Matrices are row-major [in, out] as TF.js stores them: W[off + i * out + j].

// tok: where the text rows' token offsets start in `ints` (0: no tokens, every row's vector is in
// `floats`); pooled: where text_pass writes the vectors it pools in `outputs` (for the vector caches).
struct Meta { B: u32, T: u32, tok: u32, pooled: u32 };

@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<i32>;
@group(0) @binding(2) var<storage, read> floats: array<f32>;
@group(0) @binding(3) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(4) var<storage, read_write> outputs: array<f32>;
@group(0) @binding(5) var<uniform> call: Meta;
@group(0) @binding(6) var<storage, read_write> texth: array<f32>;
// The static encoder's word table as stored (src/encoder/static-table.ts), with a header of 8 u32:
// format (0 none, 1 int8, 2 codes), low bits (codes: bits - 4), low plane bytes a row, then the u32
// index where the values (int8) or top-4-bit plane starts, the low plane, the row scales (f32),
// the codebook (f32), and the rows. Bytes are read out of u32 words (little-endian).
@group(0) @binding(7) var<storage, read> words: array<u32>;

// ints:   itemId[B] domain[B] itemText[B] itemCat[B*FI] queryId queryText ctxCat[FE] histId[N] histText[N] histDomain[N] histAction[N] userCat[FU]
//         histCat[N*FI] (HAS_HIST_SPARSE only, else none)
//         then, with tokens (call.tok > 0): tokenOffsets[T+1] tokenIds[...] (row r's tokens: ids[offsets[r] .. offsets[r+1]))
// floats: textTable[T*D] itemNum[B*NI] ctxNum[NE] histMask[N] userNum[NU] itemIdKnown[B] queryIdKnown histIdKnown[N]
//         histNum[N*NI] (HAS_HIST_SPARSE only)
//         (the *IdKnown flags are 1 for an ID the model learnt; with MASK_IDS an unknown one takes no part)
// scratch: its regions start at S_<name>, from the host's table (scratchLayout in fused-ranker.ts).

const WG1: u32 = 256u;
const WG2: u32 = 64u;

fn idx(i: u32) -> u32 { return u32(max(ints[i], 0)); }
// Byte `a` of the word table (a counts bytes from the start of the buffer).
fn word_byte(a: u32) -> u32 { return (words[a >> 2u] >> ((a & 3u) * 8u)) & 255u; }
// Value k of word row `id`, dequantised: one f32 product, as the JS encoder computes it.
fn word_value(id: u32, k: u32) -> f32 {
  let s = bitcast<f32>(words[words[5] + id]);
  if (words[0] == 1u) {
    return f32((i32(word_byte(words[3] * 4u + id * D + k)) << 24u) >> 24u) * s;
  }
  let b = word_byte(words[3] * 4u + id * (D / 2u) + (k >> 1u));
  var code = select(b & 15u, b >> 4u, (k & 1u) == 1u);
  let lb = words[1];
  if (lb > 0u) {
    let per = 8u / lb;
    let low = word_byte(words[4] * 4u + id * words[2] + k / per);
    code = (code << lb) | ((low >> ((k % per) * lb)) & ((1u << lb) - 1u));
  }
  return bitcast<f32>(words[words[6] + code]) * s;
}
fn text(T: u32, row: u32, k: u32) -> f32 { return floats[min(row, T - 1u) * D + k]; }
// Where the ID-known flags start in `floats`.
fn known_at(B: u32, T: u32) -> u32 { return T * D + B * NI + NE + N + NU; }
// The gating logit bias of aspect slot `slot` (0 = ID): -1e9 for an ID the model never learnt.
fn id_bias(slot: u32, known: f32) -> f32 { return select(0.0, (1.0 - known) * -1e9, MASK_IDS && HAS_ID && slot == 0u); }

// E_lm of one text row, computed by text_pass: b_lm + sum_k phi[k] W_lm[k, j]
fn lm(T: u32, row: u32, j: u32) -> f32 { return texth[min(row, T - 1u) * H + j]; }

var<workgroup> phi: array<f32, D>;

// E_lm = b_lm + phi W_lm for every text row whose vector is in `floats` (a call with no tokens): one thread
// per (row, output), no barrier.
@compute @workgroup_size(64)
fn text_pass(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let T = call.T;
  let i = gid.x + gid.y * nwg.x * 64u;
  if (!HAS_TEXT || i >= T * H) { return; }
  let row = i / H;
  let j = i % H;
  var s = W[OFF_LM_B + j];
  for (var k = 0u; k < D; k++) { s += text(T, row, k) * W[OFF_LM_W + k * H + j]; }
  texth[i] = s;
}

// The same for a call with tokens: one workgroup per text row (wg.y spans rows past 65,535), the row's
// phi into workgroup memory, then its H outputs. A row with tokens (ints[tok + row] < ints[tok + row + 1])
// pools them: the mean of their table rows, summed with compensation (Kahan), over every token ([CLS]
// included, a zero row), as the encoder does; its phi also goes to `outputs` for the vector caches. A
// separate entry point: a barrier in a shader makes SwiftShader run all of it as coroutines, slower.
@compute @workgroup_size(64)
fn text_pool_pass(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let T = call.T;
  let row = wg.x + wg.y * nwg.x;
  if (!HAS_TEXT || row >= T) { return; }
  let first = u32(ints[call.tok + row]);
  let end = u32(ints[call.tok + row + 1u]);
  let ids = call.tok + T + 1u;
  for (var k = lid; k < D; k += 64u) {
    if (end == first) {
      phi[k] = text(T, row, k);
    } else {
      var s = 0.0;
      var c = 0.0;
      for (var t = first; t < end; t++) {
        let y = word_value(u32(ints[ids + t]), k) - c;
        let z = s + y;
        c = (z - s) - y;
        s = z;
      }
      let v = s / f32(end - first);
      phi[k] = v;
      outputs[call.pooled + row * D + k] = v;
    }
  }
  workgroupBarrier();
  for (var j = lid; j < H; j += 64u) {
    var s = W[OFF_LM_B + j];
    for (var k = 0u; k < D; k++) { s += phi[k] * W[OFF_LM_W + k * H + j]; }
    texth[row * H + j] = s;
  }
}

fn layer_norm_rows(src: u32, dst: u32, g: u32, b: u32, lid: u32) {
  for (var n = lid; n < N; n += WG1) {
    var mean = 0.0;
    for (var j = 0u; j < H; j++) { mean += scratch[src + n * H + j]; }
    mean /= f32(H);
    var v = 0.0;
    for (var j = 0u; j < H; j++) { let d = scratch[src + n * H + j] - mean; v += d * d; }
    let inv = 1.0 / sqrt(v / f32(H) + 1e-5);
    for (var j = 0u; j < H; j++) { scratch[dst + n * H + j] = (scratch[src + n * H + j] - mean) * inv * W[g + j] + W[b + j]; }
  }
}

fn sync() { storageBarrier(); workgroupBarrier(); }

// Layer 1 of a sparse-aspect MLP (context or user side) into f1: F categorical buckets at
// ints[ic..], NN numbers at floats[fnum..], weights w1/b1. The caller syncs before layer 2.
fn sparse_layer1(lid: u32, ic: u32, F: u32, fnum: u32, NN: u32, w1: u32, b1: u32) {
  for (var j = lid; j < H; j += WG1) {
    var s = W[b1 + j];
    for (var f = 0u; f < F; f++) {
      for (var q = 0u; q < SD; q++) { s += W[OFF_EMB_SPARSE + min(idx(ic + f), SPB - 1u) * SD + q] * W[w1 + (f * SD + q) * H + j]; }
    }
    for (var q = 0u; q < NN; q++) { s += floats[fnum + q] * W[w1 + (F * SD + q) * H + j]; }
    scratch[S_F1 + j] = max(s, 0.0);
  }
}

// Layer 2 from f1 into scratch[dst..dst+H), written or (add) added.
fn sparse_layer2(lid: u32, w2: u32, b2: u32, dst: u32, add: bool) {
  for (var j = lid; j < H; j += WG1) {
    var s = W[b2 + j];
    for (var k = 0u; k < H; k++) { s += scratch[S_F1 + k] * W[w2 + k * H + j]; }
    if (add) { s += scratch[dst + j]; }
    scratch[dst + j] = s;
  }
}

@compute @workgroup_size(256)
fn context_pass(@builtin(local_invocation_index) lid: u32) {
  let B = call.B;
  let T = call.T;
  let iq = 3u * B + B * FI;
  let ih = iq + 2u + FE;
  let fmask = T * D + B * NI + NE;
  let query_known = floats[known_at(B, T) + B];
  if (HAS_HIST_SPARSE) {
    // Each event's item features: layer 1 of the candidates' sparse MLP for every event, into f1 (free
    // until the feed-forward); layer 2 goes into the event embeddings below.
    let ihc = ih + 4u * N + FU;
    let fhn = known_at(B, T) + B + 1u + N;
    for (var i = lid; i < N * H; i += WG1) {
      let n = i / H;
      let j = i % H;
      var s = W[OFF_SPARSE_ITEM_L1_B + j];
      for (var f = 0u; f < FI; f++) {
        let row = min(idx(ihc + n * FI + f), SPB - 1u);
        for (var q = 0u; q < SD; q++) { s += W[OFF_EMB_SPARSE + row * SD + q] * W[OFF_SPARSE_ITEM_L1_W + (f * SD + q) * H + j]; }
      }
      for (var q = 0u; q < NIM; q++) { s += floats[fhn + n * NI + q] * W[OFF_SPARSE_ITEM_L1_W + (FI * SD + q) * H + j]; }
      scratch[S_F1 + i] = max(s, 0.0);
    }
    sync();
  }
  // Event embeddings: domain + action + position (+ E_lm of its text) (+ its ID) (+ E_S of its item's features).
  for (var i = lid; i < N * H; i += WG1) {
    let n = i / H;
    let j = i % H;
    var acc = W[OFF_EMB_DOMAIN + min(idx(ih + 2u * N + n), MAXDOM - 1u) * H + j] + W[OFF_EMB_ACTION + min(idx(ih + 3u * N + n), ACTIONS - 1u) * H + j] + W[OFF_EMB_POS + n * H + j];
    if (HAS_TEXT) { acc += lm(T, idx(ih + N + n), j); }
    if (HAS_ID) {
      var id = W[OFF_EMB_ID + min(idx(ih + n), IDB - 1u) * H + j];
      if (MASK_IDS) { id *= floats[known_at(B, T) + B + 1u + n]; }
      acc += id;
    }
    if (HAS_HIST_SPARSE) {
      var e = W[OFF_SPARSE_ITEM_L2_B + j];
      for (var k = 0u; k < H; k++) { e += scratch[S_F1 + n * H + k] * W[OFF_SPARSE_ITEM_L2_W + k * H + j]; }
      acc += e;
    }
    scratch[S_H + i] = acc;
  }
  sync();
  for (var i = lid; i < 3u * N * H; i += WG1) {
    let m = i / (N * H);
    let r = i % (N * H);
    let n = r / H;
    let j = r % H;
    let off = select(select(OFF_USER_V, OFF_USER_K, m == 1u), OFF_USER_Q, m == 0u);
    var s = 0.0;
    for (var k = 0u; k < H; k++) { s += scratch[S_H + n * H + k] * W[off + k * H + j]; }
    scratch[S_Q + m * N * H + r] = s;
  }
  sync();
  for (var i = lid; i < N * N; i += WG1) {
    let n = i / N;
    let m = i % N;
    var s = 0.0;
    for (var j = 0u; j < H; j++) { s += scratch[S_Q + n * H + j] * scratch[S_K + m * H + j]; }
    scratch[S_SC + i] = s / sqrt(f32(H)) + (1.0 - floats[fmask + m]) * -1e9;
  }
  sync();
  for (var n = lid; n < N; n += WG1) {
    var mx = -3.4e38;
    for (var m = 0u; m < N; m++) { mx = max(mx, scratch[S_SC + n * N + m]); }
    var sum = 0.0;
    for (var m = 0u; m < N; m++) { let e = exp(scratch[S_SC + n * N + m] - mx); scratch[S_SC + n * N + m] = e; sum += e; }
    for (var m = 0u; m < N; m++) { scratch[S_SC + n * N + m] /= sum; }
  }
  sync();
  for (var i = lid; i < N * H; i += WG1) {
    let n = i / H;
    let j = i % H;
    var s = 0.0;
    for (var m = 0u; m < N; m++) { s += scratch[S_SC + n * N + m] * scratch[S_V + m * H + j]; }
    scratch[S_ATT + i] = s;
  }
  sync();
  // h + attention output (through W_o), into h2 as a temporary, then layer norm into h1.
  for (var i = lid; i < N * H; i += WG1) {
    let n = i / H;
    let j = i % H;
    var s = 0.0;
    for (var k = 0u; k < H; k++) { s += scratch[S_ATT + n * H + k] * W[OFF_USER_O + k * H + j]; }
    scratch[S_H2 + i] = scratch[S_H + i] + s;
  }
  sync();
  layer_norm_rows(S_H2, S_H1, OFF_LN1_G, OFF_LN1_B, lid);
  sync();
  for (var i = lid; i < N * 2u * H; i += WG1) {
    let n = i / (2u * H);
    let j = i % (2u * H);
    var s = W[OFF_FF1_B + j];
    for (var k = 0u; k < H; k++) { s += scratch[S_H1 + n * H + k] * W[OFF_FF1_W + k * 2u * H + j]; }
    scratch[S_F1 + i] = max(s, 0.0);
  }
  sync();
  for (var i = lid; i < N * H; i += WG1) {
    let n = i / H;
    let j = i % H;
    var s = W[OFF_FF2_B + j];
    for (var k = 0u; k < 2u * H; k++) { s += scratch[S_F1 + n * 2u * H + k] * W[OFF_FF2_W + k * H + j]; }
    scratch[S_ATT + i] = scratch[S_H1 + i] + s;
  }
  sync();
  layer_norm_rows(S_ATT, S_H2, OFF_LN2_G, OFF_LN2_B, lid);
  sync();
  // E(U): masked mean; the query's aspects.
  for (var j = lid; j < H; j += WG1) {
    var s = 0.0;
    var c = 0.0;
    for (var n = 0u; n < N; n++) { let m = floats[fmask + n]; s += scratch[S_H2 + n * H + j] * m; c += m; }
    scratch[S_U + j] = s / max(c, 1.0);
    if (HAS_ID) { scratch[S_QA + j] = W[OFF_EMB_ID + min(idx(iq), IDB - 1u) * H + j] * select(1.0, query_known, MASK_IDS); }
    if (HAS_TEXT) { scratch[S_QA + H + j] = lm(T, idx(iq + 1u), j); }
  }
  if (HAS_CTX_SPARSE) {
    // The context MLP: layer 1 into f1 (free now), layer 2 into QA's sparse slot.
    sparse_layer1(lid, iq + 2u, FE, T * D + B * NI, NE, OFF_SPARSE_CTX_L1_W, OFF_SPARSE_CTX_L1_B);
    sync();
    sparse_layer2(lid, OFF_SPARSE_CTX_L2_W, OFF_SPARSE_CTX_L2_B, S_QA + 2u * H, false);
  }
  sync();
  if (HAS_USER_SPARSE) {
    // The user's features: their MLP's layer 1 into f1 (free again), layer 2 added to E(U).
    sparse_layer1(lid, ih + 4u * N, FU, fmask + N, NU, OFF_SPARSE_USER_L1_W, OFF_SPARSE_USER_L1_B);
    sync();
    sparse_layer2(lid, OFF_SPARSE_USER_L2_W, OFF_SPARSE_USER_L2_B, S_U, true);
    sync();
  }
  // E(Q) for every domain row: the query side's gating depends on the candidate's domain only.
  for (var d = lid; d < MAXDOM; d += WG1) {
    var logits: array<f32, 3>;
    var mx = -3.4e38;
    for (var k = 0u; k < QUERY_ASPECTS; k++) {
      var s = 0.0;
      if (GATING != 0u) {
        for (var j = 0u; j < H; j++) { s += scratch[S_QA + QUERY_ASPECT_SLOT[k] * H + j] * gate_vec(1u, d, j); }
        s /= sqrt(f32(H));
      }
      s += id_bias(QUERY_ASPECT_SLOT[k], query_known);
      logits[k] = s;
      mx = max(mx, s);
    }
    var sum = 0.0;
    for (var k = 0u; k < QUERY_ASPECTS; k++) { logits[k] = exp(logits[k] - mx); sum += logits[k]; }
    for (var j = 0u; j < H; j++) {
      var e = 0.0;
      for (var k = 0u; k < QUERY_ASPECTS; k++) { e += logits[k] / sum * scratch[S_QA + QUERY_ASPECT_SLOT[k] * H + j]; }
      scratch[S_QD + d * H + j] = e;
    }
  }
  sync();
  // The part of x_hat that depends on the domain only: b + U W[0:H] + E(Q)_d W[H:2H] + E_D W[5H:6H].
  if (HAS_DA) {
    for (var i = lid; i < MAXDOM * XHW; i += WG1) {
      let d = i / XHW;
      let k = i % XHW;
      var s = W[OFF_DA_B + k];
      for (var j = 0u; j < H; j++) {
        s += scratch[S_U + j] * W[OFF_DA_W + j * XHW + k];
        s += scratch[S_QD + d * H + j] * W[OFF_DA_W + (H + j) * XHW + k];
        s += W[OFF_EMB_DOMAIN + d * H + j] * W[OFF_DA_W + (5u * H + j) * XHW + k];
      }
      scratch[S_PRE + i] = s;
    }
  }
}

fn gate_vec(which: u32, dom: u32, j: u32) -> f32 {
  // which: 0 item, 1 query
  if (GATING == 1u) { return W[select(OFF_GATE_CLS_ITEM, OFF_GATE_CLS_QUERY, which == 1u) + j]; }
  return W[select(OFF_GATE_DOMAIN_ITEM, OFF_GATE_DOMAIN_QUERY, which == 1u) + dom * H + j];
}

@compute @workgroup_size(64)
fn candidate_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
  let B = call.B;
  let T = call.T;
  let b = gid.x;
  if (b >= B) { return; }
  let dom = min(idx(B + b), MAXDOM - 1u);
  // Item aspects, packed in order id, text, sparse.
  var asp: array<f32, 3 * H>;
  var a = 0u;
  let item_known = floats[known_at(B, T) + b];
  if (HAS_ID) {
    // An unknown ID is zeroed too, so that it says nothing even where it is the only aspect.
    let row = min(idx(b), IDB - 1u) * H;
    let scale = select(1.0, item_known, MASK_IDS);
    for (var j = 0u; j < H; j++) { asp[j] = W[OFF_EMB_ID + row + j] * scale; }
    a += 1u;
  }
  if (HAS_TEXT) {
    let row = min(idx(2u * B + b), T - 1u) * H;
    for (var j = 0u; j < H; j++) { asp[a * H + j] = texth[row + j]; }
    a += 1u;
  }
  if (HAS_ITEM_SPARSE) {
    // The layer's input (the categorical features' embeddings, then the numeric ones), gathered once;
    // then each output summed in a register, in the order TF.js sums it.
    var v: array<f32, FI * SD + NIM + 1u>;
    for (var f = 0u; f < FI; f++) {
      let row = min(idx(3u * B + b * FI + f), SPB - 1u) * SD;
      for (var q = 0u; q < SD; q++) { v[f * SD + q] = W[OFF_EMB_SPARSE + row + q]; }
    }
    for (var q = 0u; q < NIM; q++) { v[FI * SD + q] = floats[T * D + b * NI + q]; }
    var l1: array<f32, H>;
    for (var j = 0u; j < H; j++) {
      var s = W[OFF_SPARSE_ITEM_L1_B + j];
      for (var t = 0u; t < FI * SD + NIM; t++) { s += v[t] * W[OFF_SPARSE_ITEM_L1_W + t * H + j]; }
      l1[j] = max(s, 0.0);
    }
    for (var j = 0u; j < H; j++) {
      var s = W[OFF_SPARSE_ITEM_L2_B + j];
      for (var k = 0u; k < H; k++) { s += l1[k] * W[OFF_SPARSE_ITEM_L2_W + k * H + j]; }
      asp[a * H + j] = s;
    }
  }
  // Item gating (the ID aspect, when there is one, is slot 0).
  var wts: array<f32, 3>;
  var mx = -3.4e38;
  for (var k = 0u; k < A; k++) {
    var s = 0.0;
    if (GATING != 0u) {
      for (var j = 0u; j < H; j++) { s += asp[k * H + j] * gate_vec(0u, dom, j); }
      s /= sqrt(f32(H));
    }
    s += id_bias(k, item_known);
    wts[k] = s;
    mx = max(mx, s);
  }
  var sum = 0.0;
  for (var k = 0u; k < A; k++) { wts[k] = exp(wts[k] - mx); sum += wts[k]; }
  for (var k = 0u; k < A; k++) { wts[k] /= sum; }
  var ei: array<f32, H>;
  for (var j = 0u; j < H; j++) {
    var e = 0.0;
    for (var k = 0u; k < A; k++) { e += wts[k] * asp[k * H + j]; }
    ei[j] = e;
  }
  // x_hat: the domain's precomputed part + I, U*I, Q*I through their rows of W_da.
  var xh: array<f32, XHW>;
  if (HAS_DA) {
    // Each output in a register, summed over j in the same order as TF.js's matmul: one write per
    // output instead of a read-modify-write per (j, k) of a private array (which lives in memory).
    var ui: array<f32, H>;
    var qi: array<f32, H>;
    for (var j = 0u; j < H; j++) {
      ui[j] = scratch[S_U + j] * ei[j];
      qi[j] = scratch[S_QD + dom * H + j] * ei[j];
    }
    for (var k = 0u; k < XHW; k++) {
      var s = scratch[S_PRE + dom * XHW + k];
      for (var j = 0u; j < H; j++) {
        s += ei[j] * W[OFF_DA_W + (2u * H + j) * XHW + k] + ui[j] * W[OFF_DA_W + (3u * H + j) * XHW + k] + qi[j] * W[OFF_DA_W + (4u * H + j) * XHW + k];
      }
      xh[k] = s;
    }
  } else {
    for (var j = 0u; j < H; j++) {
      let u = scratch[S_U + j];
      let q = scratch[S_QD + dom * H + j];
      xh[j] = u;
      xh[H + j] = q;
      xh[2u * H + j] = ei[j];
      xh[3u * H + j] = u * ei[j];
      xh[4u * H + j] = q * ei[j];
    }
  }
  // MMoE: experts, one softmax gate per task, then the towers.
  var ex: array<f32, EXP * DE>;
  for (var k = 0u; k < EXP * DE; k++) {
    var s = W[OFF_EXP_B + k];
    for (var i = 0u; i < XHW; i++) { s += xh[i] * W[OFF_EXP_W + i * EXP * DE + k]; }
    ex[k] = max(s, 0.0);
  }
  var gl: array<f32, 2 * EXP>;
  for (var e = 0u; e < EXP; e++) {
    var c = W[OFF_GATE_CTR_B + e];
    var r = W[OFF_GATE_REL_B + e];
    for (var i = 0u; i < XHW; i++) {
      c += xh[i] * W[OFF_GATE_CTR_W + i * EXP + e];
      r += xh[i] * W[OFF_GATE_REL_W + i * EXP + e];
    }
    gl[e] = c;
    gl[EXP + e] = r;
  }
  let stride = 2u + A;
  for (var t = 0u; t < 2u; t++) {
    var gmx = -3.4e38;
    for (var e = 0u; e < EXP; e++) { gmx = max(gmx, gl[t * EXP + e]); }
    var gs = 0.0;
    for (var e = 0u; e < EXP; e++) { gl[t * EXP + e] = exp(gl[t * EXP + e] - gmx); gs += gl[t * EXP + e]; }
    var mixed: array<f32, DE>;
    for (var d = 0u; d < DE; d++) {
      var m = 0.0;
      for (var e = 0u; e < EXP; e++) { m += gl[t * EXP + e] / gs * ex[e * DE + d]; }
      mixed[d] = m;
    }
    let w1 = select(OFF_T_CTR1_W, OFF_T_REL1_W, t == 1u);
    let b1 = select(OFF_T_CTR1_B, OFF_T_REL1_B, t == 1u);
    let w2 = select(OFF_T_CTR2_W, OFF_T_REL2_W, t == 1u);
    var logit = W[select(OFF_T_CTR2_B, OFF_T_REL2_B, t == 1u)];
    for (var d = 0u; d < TD; d++) {
      var s = W[b1 + d];
      for (var k = 0u; k < DE; k++) { s += mixed[k] * W[w1 + k * TD + d]; }
      logit += max(s, 0.0) * W[w2 + d];
    }
    if (HAS_MATCH && t == 0u) {
      // History-match features (the item's last NI - NIM numeric columns): a linear term on the CTR logit.
      for (var q = NIM; q < NI; q++) { logit += floats[T * D + b * NI + q] * W[OFF_MATCH_W + q - NIM]; }
    }
    outputs[b * stride + t] = 1.0 / (1.0 + exp(-logit));
  }
  for (var k = 0u; k < A; k++) { outputs[b * stride + 2u + k] = wts[k]; }
}
