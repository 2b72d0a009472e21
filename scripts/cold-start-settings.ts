/**
 * The cold-start runs' settings, shared by scripts/results.ts (docs/RESULTS.md) and
 * scripts/tune-l2sp.ts (docs/L2SP.md): epochs, learning rate and the from-scratch batch were fixed
 * before any measurement; the L2-SP weight was picked on development worlds 101-110 (docs/L2SP.md).
 * It is no longer finetune's default (0, chosen on the real data's validation split), so the
 * scripts name it explicitly and also report the runs without it.
 */
export const FT = { epochs: 8, lr: 0.002, scratchBatch: 256, l2sp: 0.1 };
