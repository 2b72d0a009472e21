// The whole ranking network of src/model/ranker.ts for one rerank call, in two dispatches:
//   context_pass   (1 workgroup):  the user tower over the behaviour sequence, and the query's
//                                  three aspects; written to `scratch`.
//   candidate_pass (1 workgroup per candidate): item aspects, gating (item and query), the
//                                  domain-adaptive layer, MMoE, both towers; written to `outputs`.
// The host prepends the constants (shapes, weight offsets, flags) for the loaded model.
// Matrices are row-major [in, out] as TF.js stores them: W[off + i * out + j].

struct Meta { B: u32, T: u32, pad0: u32, pad1: u32 };

@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read> ints: array<i32>;
@group(0) @binding(2) var<storage, read> floats: array<f32>;
@group(0) @binding(3) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(4) var<storage, read_write> outputs: array<f32>;
@group(0) @binding(5) var<uniform> call: Meta;

// ints:   itemId[B] domain[B] itemText[B] itemCat[B*FI] queryId queryText ctxCat[FE] histId[N] histText[N] histDomain[N] histAction[N]
// floats: textTable[T*D] itemNum[B*NI] ctxNum[NE] histMask[N]
// scratch: h q k v att h1 h2 [N*H each], scores [N*N], f1 [N*2H], then U[H], QA[3H] (query aspects: id, text, sparse)
const S_H: u32 = 0u;
const S_Q: u32 = N * H;
const S_K: u32 = 2u * N * H;
const S_V: u32 = 3u * N * H;
const S_ATT: u32 = 4u * N * H;
const S_H1: u32 = 5u * N * H;
const S_H2: u32 = 6u * N * H;
const S_SC: u32 = 7u * N * H;
const S_F1: u32 = S_SC + N * N;
const S_U: u32 = S_F1 + 2u * N * H;
const S_QA: u32 = S_U + H;

const WG1: u32 = 256u;
const WG2: u32 = 64u;

fn idx(i: u32) -> u32 { return u32(max(ints[i], 0)); }
fn text(T: u32, row: u32, k: u32) -> f32 { return floats[min(row, T - 1u) * D + k]; }

// E_lm of one text row: b_lm + sum_k phi[k] W_lm[k, j]
fn lm(T: u32, row: u32, j: u32) -> f32 {
  var s = W[OFF_LM_B + j];
  for (var k = 0u; k < D; k++) { s += text(T, row, k) * W[OFF_LM_W + k * H + j]; }
  return s;
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

@compute @workgroup_size(256)
fn context_pass(@builtin(local_invocation_index) lid: u32) {
  let B = call.B;
  let T = call.T;
  let iq = 3u * B + B * FI;
  let ih = iq + 2u + FE;
  let fmask = T * D + B * NI + NE;
  // Event embeddings: domain + action + position (+ E_lm of its text) (+ its ID).
  for (var i = lid; i < N * H; i += WG1) {
    let n = i / H;
    let j = i % H;
    var acc = W[OFF_EMB_DOMAIN + min(idx(ih + 2u * N + n), MAXDOM - 1u) * H + j] + W[OFF_EMB_ACTION + min(idx(ih + 3u * N + n), ACTIONS - 1u) * H + j] + W[OFF_EMB_POS + n * H + j];
    if (HAS_TEXT) { acc += lm(T, idx(ih + N + n), j); }
    if (HAS_ID) { acc += W[OFF_EMB_ID + min(idx(ih + n), IDB - 1u) * H + j]; }
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
    if (HAS_ID) { scratch[S_QA + j] = W[OFF_EMB_ID + min(idx(iq), IDB - 1u) * H + j]; }
    if (HAS_TEXT) { scratch[S_QA + H + j] = lm(T, idx(iq + 1u), j); }
  }
  if (HAS_CTX_SPARSE) {
    // Layer 1 of the context MLP into f1 (free now), then layer 2 into QA's sparse slot.
    let fctx = T * D + B * NI;
    for (var j = lid; j < H; j += WG1) {
      var s = W[OFF_SPC1_B + j];
      for (var f = 0u; f < FE; f++) {
        for (var q = 0u; q < SD; q++) { s += W[OFF_EMB_SPARSE + min(idx(iq + 2u + f), SPB - 1u) * SD + q] * W[OFF_SPC1_W + (f * SD + q) * H + j]; }
      }
      for (var q = 0u; q < NE; q++) { s += floats[fctx + q] * W[OFF_SPC1_W + (FE * SD + q) * H + j]; }
      scratch[S_F1 + j] = max(s, 0.0);
    }
    sync();
    for (var j = lid; j < H; j += WG1) {
      var s = W[OFF_SPC2_B + j];
      for (var k = 0u; k < H; k++) { s += scratch[S_F1 + k] * W[OFF_SPC2_W + k * H + j]; }
      scratch[S_QA + 2u * H + j] = s;
    }
  }
}

var<workgroup> asp: array<f32, 3 * H>;   // this item's aspects: id, text, sparse (present ones packed)
var<workgroup> tmp: array<f32, XW>;      // scratch of the workgroup (sparse layer 1, x, ...)
var<workgroup> ei: array<f32, H>;
var<workgroup> eq: array<f32, H>;
var<workgroup> wts: array<f32, 8>;       // item gating weights [0..A), query gating weights [4..4+AQ)
var<workgroup> xh: array<f32, XHW>;
var<workgroup> ex: array<f32, EXP * DE>;
var<workgroup> gt: array<f32, 2 * EXP>;
var<workgroup> tw: array<f32, 2 * DE + 2 * TD>;

fn gate_vec(which: u32, dom: u32, j: u32) -> f32 {
  // which: 0 item, 1 query
  if (GATING == 1u) { return W[select(OFF_GCLS_ITEM, OFF_GCLS_QUERY, which == 1u) + j]; }
  return W[select(OFF_GDOM_ITEM, OFF_GDOM_QUERY, which == 1u) + dom * H + j];
}

@compute @workgroup_size(64)
fn candidate_pass(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let B = call.B;
  let T = call.T;
  let b = wg.x;
  if (b >= B) { return; } // uniform per workgroup: the whole group leaves together
  let dom = min(idx(B + b), MAXDOM - 1u);
  // Item aspects.
  var a = 0u;
  if (HAS_ID) {
    for (var j = lid; j < H; j += WG2) { asp[a * H + j] = W[OFF_EMB_ID + min(idx(b), IDB - 1u) * H + j]; }
    a += 1u;
  }
  if (HAS_TEXT) {
    for (var j = lid; j < H; j += WG2) { asp[a * H + j] = lm(T, idx(2u * B + b), j); }
    a += 1u;
  }
  if (HAS_ITEM_SPARSE) {
    let fnum = T * D;
    for (var j = lid; j < H; j += WG2) {
      var s = W[OFF_SPI1_B + j];
      for (var f = 0u; f < FI; f++) {
        for (var q = 0u; q < SD; q++) { s += W[OFF_EMB_SPARSE + min(idx(3u * B + b * FI + f), SPB - 1u) * SD + q] * W[OFF_SPI1_W + (f * SD + q) * H + j]; }
      }
      for (var q = 0u; q < NI; q++) { s += floats[fnum + b * NI + q] * W[OFF_SPI1_W + (FI * SD + q) * H + j]; }
      tmp[j] = max(s, 0.0);
    }
    workgroupBarrier();
    for (var j = lid; j < H; j += WG2) {
      var s = W[OFF_SPI2_B + j];
      for (var k = 0u; k < H; k++) { s += tmp[k] * W[OFF_SPI2_W + k * H + j]; }
      asp[a * H + j] = s;
    }
  }
  workgroupBarrier();
  // Gating: softmax over the aspects of g . E_a / sqrt(H) (mean: 1/A). Thread 0 computes the weights.
  if (lid == 0u) {
    for (var w = 0u; w < 2u; w++) {
      let na = select(A, AQ, w == 1u);
      var logits: array<f32, 3>;
      var mx = -3.4e38;
      for (var k = 0u; k < na; k++) {
        var s = 0.0;
        if (GATING != 0u) {
          for (var j = 0u; j < H; j++) {
            let e = select(asp[k * H + j], scratch[S_QA + QSLOT[k] * H + j], w == 1u);
            s += e * gate_vec(w, dom, j);
          }
          s /= sqrt(f32(H));
        }
        logits[k] = s;
        mx = max(mx, s);
      }
      var sum = 0.0;
      for (var k = 0u; k < na; k++) { logits[k] = exp(logits[k] - mx); sum += logits[k]; }
      for (var k = 0u; k < na; k++) { wts[w * 4u + k] = logits[k] / sum; }
    }
  }
  workgroupBarrier();
  for (var j = lid; j < H; j += WG2) {
    var si = 0.0;
    for (var k = 0u; k < A; k++) { si += wts[k] * asp[k * H + j]; }
    ei[j] = si;
    var sq = 0.0;
    for (var k = 0u; k < AQ; k++) { sq += wts[4u + k] * scratch[S_QA + QSLOT[k] * H + j]; }
    eq[j] = sq;
  }
  workgroupBarrier();
  // x = [U, Q, I, U*I, Q*I] (and E_D for the domain-adaptive layer).
  for (var j = lid; j < H; j += WG2) {
    let u = scratch[S_U + j];
    tmp[j] = u;
    tmp[H + j] = eq[j];
    tmp[2u * H + j] = ei[j];
    tmp[3u * H + j] = u * ei[j];
    tmp[4u * H + j] = eq[j] * ei[j];
    if (HAS_DA) { tmp[5u * H + j] = W[OFF_EMB_DOMAIN + dom * H + j]; }
  }
  workgroupBarrier();
  for (var j = lid; j < XHW; j += WG2) {
    if (HAS_DA) {
      var s = W[OFF_DA_B + j];
      for (var k = 0u; k < 6u * H; k++) { s += tmp[k] * W[OFF_DA_W + k * XHW + j]; }
      xh[j] = s;
    } else {
      xh[j] = tmp[j];
    }
  }
  workgroupBarrier();
  for (var j = lid; j < EXP * DE; j += WG2) {
    var s = W[OFF_EXP_B + j];
    for (var k = 0u; k < XHW; k++) { s += xh[k] * W[OFF_EXP_W + k * EXP * DE + j]; }
    ex[j] = max(s, 0.0);
  }
  for (var j = lid; j < 2u * EXP; j += WG2) {
    let t = j / EXP;
    let e = j % EXP;
    let off = select(OFF_GATE_CTR_W, OFF_GATE_REL_W, t == 1u);
    var s = W[select(OFF_GATE_CTR_B, OFF_GATE_REL_B, t == 1u) + e];
    for (var k = 0u; k < XHW; k++) { s += xh[k] * W[off + k * EXP + e]; }
    gt[j] = s;
  }
  workgroupBarrier();
  if (lid < 2u) {
    var mx = -3.4e38;
    for (var e = 0u; e < EXP; e++) { mx = max(mx, gt[lid * EXP + e]); }
    var sum = 0.0;
    for (var e = 0u; e < EXP; e++) { let v = exp(gt[lid * EXP + e] - mx); gt[lid * EXP + e] = v; sum += v; }
    for (var e = 0u; e < EXP; e++) { gt[lid * EXP + e] /= sum; }
  }
  workgroupBarrier();
  for (var j = lid; j < 2u * DE; j += WG2) {
    let t = j / DE;
    let d = j % DE;
    var s = 0.0;
    for (var e = 0u; e < EXP; e++) { s += gt[t * EXP + e] * ex[e * DE + d]; }
    tw[j] = s;
  }
  workgroupBarrier();
  for (var j = lid; j < 2u * TD; j += WG2) {
    let t = j / TD;
    let d = j % TD;
    let off = select(OFF_T_CTR1_W, OFF_T_REL1_W, t == 1u);
    var s = W[select(OFF_T_CTR1_B, OFF_T_REL1_B, t == 1u) + d];
    for (var k = 0u; k < DE; k++) { s += tw[t * DE + k] * W[off + k * TD + d]; }
    tw[2u * DE + j] = max(s, 0.0);
  }
  workgroupBarrier();
  let stride = 2u + A;
  if (lid < 2u) {
    let off = select(OFF_T_CTR2_W, OFF_T_REL2_W, lid == 1u);
    var s = W[select(OFF_T_CTR2_B, OFF_T_REL2_B, lid == 1u)];
    for (var k = 0u; k < TD; k++) { s += tw[2u * DE + lid * TD + k] * W[off + k]; }
    outputs[b * stride + lid] = 1.0 / (1.0 + exp(-s));
  }
  if (lid < A) { outputs[b * stride + 2u + lid] = wts[lid]; }
}
