"""The training objective of src/model/losses.ts: L = L_ctr + L_sim + lambda * L_reg, with the JS
(or MMD) regulariser between the domains present in a batch, estimated the same way."""
import torch
import torch.nn.functional as F


def _membership(domain, K):
    M = F.one_hot(domain.long(), K).float()  # [B, K]
    counts = M.sum(0)
    return M, counts, (counts > 0).float()


def _sum_pairs(pairwise, present):
    K = pairwise.shape[0]
    upper = torch.triu(torch.ones(K, K, device=pairwise.device), diagonal=1)
    return (pairwise * upper * torch.outer(present, present)).sum()


def js_regularizer(xhat, domain, K):
    M, counts, present = _membership(domain, K)
    means = (M.t() @ xhat) / torch.clamp(counts, min=1).unsqueeze(1)  # [K, H]
    p = torch.softmax(means, -1)
    Pi, Pj = p.unsqueeze(1), p.unsqueeze(0)
    m = (Pi + Pj) / 2
    eps = 1e-8

    def kl(a, b):
        return (a * (torch.log(a + eps) - torch.log(b + eps))).sum(-1)

    return _sum_pairs((kl(Pi, m) + kl(Pj, m)) / 2, present)


def mmd_regularizer(xhat, domain, K):
    M, counts, present = _membership(domain, K)
    sq = (xhat**2).sum(1, keepdim=True)
    d2 = torch.relu(sq - 2 * xhat @ xhat.t() + sq.t())
    kern = torch.exp(d2 / (-2 * xhat.shape[1]))
    S = M.t() @ kern @ M
    c = torch.clamp(counts, min=1)
    A = S / torch.outer(c, c)
    diag = torch.diagonal(A)
    return _sum_pairs(diag.unsqueeze(1) + diag.unsqueeze(0) - 2 * A, present)


def ranker_loss(config, out, t):
    """`t`: label, relevance, relMask [B] and the true domain rows. Returns total, ctr, sim, reg."""
    ctr = F.binary_cross_entropy_with_logits(out["ctrLogit"], t["label"])
    sim_all = F.binary_cross_entropy_with_logits(out["relLogit"], t["relevance"], reduction="none")
    sim = (sim_all * t["relMask"]).sum() / torch.clamp(t["relMask"].sum(), min=1)
    if config["reg"] == "none":
        reg = torch.zeros((), device=ctr.device)
    elif config["reg"] == "js":
        reg = js_regularizer(out["xhat"], t["domain"], config["maxDomains"])
    else:
        reg = mmd_regularizer(out["xhat"], t["domain"], config["maxDomains"])
    return {"total": ctr + sim + reg * config["regWeight"], "ctr": ctr, "sim": sim, "reg": reg}
