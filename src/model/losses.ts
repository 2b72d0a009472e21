/**
 * The training objective L = L_ctr + L_sim + lambda * L_reg, and the two domain regularisers.
 *
 * How the distributions are estimated in a batch: each domain k present in the batch is
 * summarised by the mean of its samples' x_hat, turned into a distribution over the x_hat
 * dimensions with a softmax (p_k). JS is then computed between those discrete distributions for
 * every pair of domains present. This is cheap (no density estimate in 64 dimensions) and
 * differentiable; it aligns the domains' first moments through a bounded divergence.
 * MMD instead compares the samples themselves: squared MMD with a Gaussian kernel
 * (sigma^2 = dimension), between every pair of domains present, from one B x B kernel matrix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RankerConfig } from './config.ts';
import type { RankerOutputs } from './ranker.ts';

/** [B, K] one-hot domain membership and [K] presence (1 when the domain has a sample). */
function membership(domain: tf.Tensor1D, K: number) {
  const M = tf.oneHot(domain, K).toFloat() as tf.Tensor2D;
  const counts = tf.sum(M, 0);
  return { M, counts, present: tf.cast(tf.greater(counts, 0), 'float32') };
}

/** Sum over pairs i < j of present domains of f(i, j) given as a [K, K] matrix. */
function sumPairs(pairwise: tf.Tensor2D, present: tf.Tensor): tf.Scalar {
  const K = pairwise.shape[0];
  const upper = tf.tensor2d(Array.from({ length: K * K }, (_, i) => (i % K > Math.floor(i / K) ? 1 : 0)), [K, K]); // strictly upper triangle
  const both = tf.outerProduct(present as tf.Tensor1D, present as tf.Tensor1D);
  return tf.sum(tf.mul(tf.mul(pairwise, upper), both));
}

export function jsRegularizer(xhat: tf.Tensor2D, domain: tf.Tensor1D, K: number): tf.Scalar {
  const { M, counts, present } = membership(domain, K);
  const means = tf.div(tf.matMul(M, xhat, true), tf.expandDims(tf.maximum(counts, 1), 1)); // [K, H]
  const p = tf.softmax(means) as tf.Tensor2D;
  const Pi = tf.expandDims(p, 1); // [K, 1, H]
  const Pj = tf.expandDims(p, 0); // [1, K, H]
  const m = tf.div(tf.add(Pi, Pj), 2);
  const eps = 1e-8;
  const kl = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, tf.sub(tf.log(tf.add(a, eps)), tf.log(tf.add(b, eps)))), -1);
  const js = tf.div(tf.add(kl(Pi, m), kl(Pj, m)), 2) as tf.Tensor2D; // [K, K]
  return sumPairs(js, present);
}

export function mmdRegularizer(xhat: tf.Tensor2D, domain: tf.Tensor1D, K: number): tf.Scalar {
  const { M, counts, present } = membership(domain, K);
  const sq = tf.sum(tf.square(xhat), 1, true); // [B, 1]
  const d2 = tf.relu(tf.add(tf.sub(sq, tf.mul(2, tf.matMul(xhat, xhat, false, true))), tf.transpose(sq)));
  const kern = tf.exp(tf.div(d2, -2 * xhat.shape[1])); // [B, B]
  const S = tf.matMul(tf.matMul(M, kern, true), M); // [K, K] sums of kernel values between domains
  const c = tf.maximum(counts, 1);
  const A = tf.div(S, tf.outerProduct(c as tf.Tensor1D, c as tf.Tensor1D)) as tf.Tensor2D;
  // The diagonal as a masked sum: linalg.bandPart unstacks, and its gradient fails on the unused parts.
  const diag = tf.sum(tf.mul(A, tf.eye(K)), 1); // [K]
  const mmd = tf.sub(tf.add(tf.expandDims(diag, 1), tf.expandDims(diag, 0)), tf.mul(2, A)) as tf.Tensor2D;
  return sumPairs(mmd, present);
}

export interface Targets {
  label: tf.Tensor1D; // [B] 0/1 click
  relevance: tf.Tensor1D; // [B] 0/1 (anything where relMask is 0)
  relMask: tf.Tensor1D; // [B] 1 where a relevance label exists
  /** True domain rows (the regulariser uses them even where training hid the domain). */
  domain: tf.Tensor1D;
}

export interface LossParts {
  total: tf.Scalar;
  ctr: tf.Scalar;
  sim: tf.Scalar;
  reg: tf.Scalar;
}

export function rankerLoss(c: RankerConfig, out: RankerOutputs, t: Targets): LossParts {
  const ctr = tf.losses.sigmoidCrossEntropy(t.label, out.ctrLogit) as tf.Scalar;
  const simAll = tf.losses.sigmoidCrossEntropy(t.relevance, out.relLogit, undefined, 0, tf.Reduction.NONE);
  const sim = tf.div(tf.sum(tf.mul(simAll, t.relMask)), tf.maximum(tf.sum(t.relMask), 1)) as tf.Scalar;
  const reg =
    c.reg === 'none' ? tf.scalar(0) : c.reg === 'js' ? jsRegularizer(out.xhat, t.domain, c.maxDomains) : mmdRegularizer(out.xhat, t.domain, c.maxDomains);
  return { total: tf.add(tf.add(ctr, sim), tf.mul(reg, c.regWeight)) as tf.Scalar, ctr, sim, reg };
}
