"""The ranking network of src/model/ranker.ts in PyTorch: the same forward, in the same order,
with the same parameter names. The parameters themselves (names, shapes, freeze groups, initial
values) come from the export's manifest (`params`, written from src/model/params.ts paramSpecs),
so there is one table of them, in TypeScript.

  item:  E_ID(I), E_lm(I) = W_lm phi(I), E_S(I) = MLP(features)   --gating-->  E(I)
  query: E_ID(Q), E_lm(Q) (same W_lm),   E_S(Q) = MLP(context)    --gating-->  E(Q)
  user:  history events (with historyFeatures: + their item's E_S) -> one transformer layer
         -> masked mean                                           ---------->  E(U)
  x = [E(U), E(Q), E(I), E(U)*E(I), E(Q)*E(I)]
  x_hat = W_da [x, E_D] + b        (domain-adaptive layer; JS/MMD regularised)
  MMoE(x_hat) -> CTR tower, relevance tower
"""
import math

import torch
from torch import nn

from .prng import mulberry32


def match_columns(c):
    """src/model/config.ts matchColumns: the item's last numeric columns that are history-match features."""
    if not (c.get("historyMatch") and "sparse" in c["aspects"]):
        return 0
    return 3 if c.get("matchFeatures") else 2


def history_features_on(c):
    """src/model/config.ts historyFeaturesOn: history events add their item's features."""
    if not c.get("historyFeatures"):
        return False  # models saved before the switch existed (and configs that never name it)
    f = c["itemFeatures"]
    return "sparse" in c["aspects"] and len(f["categorical"]) + len(f["numeric"]) - match_columns(c) > 0


def _key(name):
    """nn.ParameterDict keys may not hold '.': 'emb.id' is stored as 'emb__id'."""
    return name.replace(".", "__")


def initial_values(spec, rand):
    """src/model/params.ts initValues: the same values from the same seeded PRNG."""
    n = 1
    for d in spec["shape"]:
        n *= d
    if spec["init"] == "zeros":
        return torch.zeros(n)
    if spec["init"] == "ones":
        return torch.ones(n)
    shape = spec["shape"]
    limit = 0.01 if spec["init"] == "small" else math.sqrt(6 / (shape[0] + (shape[1] if len(shape) > 1 else shape[0])))
    return torch.tensor([(rand() * 2 - 1) * limit for _ in range(n)], dtype=torch.float32)


class Ranker(nn.Module):
    def __init__(self, config, specs, seed=None):
        """`specs`: the manifest's `params`. With `seed`, the initial values of initParams(config, seed)."""
        super().__init__()
        self.c = config
        self.specs = specs
        rand = mulberry32(seed if seed is not None else 0)
        self.weights = nn.ParameterDict()
        for s in specs:
            v = initial_values(s, rand) if seed is not None else torch.zeros(*s["shape"])
            self.weights[_key(s["name"])] = nn.Parameter(v.reshape(s["shape"]))

    def param(self, name):
        return self.weights[_key(name)]

    def has(self, name):
        return _key(name) in self.weights

    def named_kindling_parameters(self):
        """(Kindling name, parameter) in the manifest's order."""
        return [(s["name"], self.param(s["name"])) for s in self.specs]

    def dense(self, name, x):
        return x @ self.param(f"{name}.w") + self.param(f"{name}.b")

    def sparse_aspect(self, side, cat, num):
        """E_S: categorical buckets through the sparse table, with the numeric values, through a 2-layer MLP."""
        if not self.has(f"sparse.{side}.1.w"):
            return None
        B, F = cat.shape
        parts = []
        if F > 0:
            parts.append(self.param("emb.sparse")[cat.long()].reshape(B, F * self.c["sparseDim"]))
        # An item's history-match columns (the last ones) go around the MLP, to the CTR logit.
        nm = num.shape[1] - (match_columns(self.c) if side == "item" else 0)
        if nm > 0:
            parts.append(num[:, :nm])
        x = parts[0] if len(parts) == 1 else torch.cat(parts, 1)
        return self.dense(f"sparse.{side}.2", torch.relu(self.dense(f"sparse.{side}.1", x)))

    def gate(self, side, aspects, domain, id_known=None):
        """sum_a w_a E_a, w = softmax_a(g . E_a / sqrt(H)) or 1/A for mean; an unknown ID (id_known 0) gets no weight."""
        stack = torch.stack(aspects, 1)  # [B, A, H]
        B, A, _ = stack.shape
        bias = None
        if id_known is not None:
            bias = torch.cat([(1 - id_known.reshape(-1, 1)) * -1e9, id_known.new_zeros(id_known.shape[0], A - 1)], 1)
        if self.c["gating"] == "mean":
            weights = torch.softmax(bias, 1) if bias is not None else stack.new_full((B, A), 1 / A)
        else:
            if self.c["gating"] == "cls":
                g = self.param(f"gate.cls.{side}").reshape(1, 1, -1)
            else:
                g = self.param(f"gate.domain.{side}")[domain.long()].unsqueeze(1)
            logits = (stack * g).sum(-1) / math.sqrt(self.c["hidden"])
            weights = torch.softmax(logits + bias if bias is not None else logits, 1)
        return (stack * weights.unsqueeze(-1)).sum(1), weights

    @staticmethod
    def layer_norm(x, g, b):
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5) * g + b

    def user_tower(self, x, text_h):
        """E(U): history events through one transformer layer, masked mean (+ the user features' MLP)."""
        c = self.c
        aspects = c["aspects"]
        N = x["histMask"].shape[1]
        p = self.param
        h = p("emb.domain")[x["histDomain"].long()] + p("emb.action")[x["histAction"].long()]
        h = h + p("emb.position")[:N].unsqueeze(0)
        if text_h is not None:
            h = h + text_h[x["histText"].long()]
        if "id" in aspects:
            ids = p("emb.id")[x["histId"].long()]
            h = h + (ids * x["histIdKnown"].unsqueeze(-1) if c.get("unknownIds") == "mask" and "histIdKnown" in x else ids)
        if history_features_on(c):
            # Each event's item features through the candidates' own sparse MLP (src/model/ranker.ts).
            Bu = h.shape[0]
            es = self.sparse_aspect("item", x["histCat"].reshape(Bu * N, -1), x["histNum"].reshape(Bu * N, -1))
            h = h + es.reshape(Bu, N, c["hidden"])
        q, k, v = h @ p("user.q"), h @ p("user.k"), h @ p("user.v")
        mask = x["histMask"].unsqueeze(1)  # [Bu, 1, N]
        scores = q @ k.transpose(1, 2) / math.sqrt(c["hidden"]) + (1 - mask) * -1e9
        attn = (torch.softmax(scores, -1) @ v) @ p("user.o")
        h1 = self.layer_norm(h + attn, p("user.ln1.g"), p("user.ln1.b"))
        ff = torch.relu(h1 @ p("user.ff1.w") + p("user.ff1.b")) @ p("user.ff2.w") + p("user.ff2.b")
        h2 = self.layer_norm(h1 + ff, p("user.ln2.g"), p("user.ln2.b"))
        m = x["histMask"].unsqueeze(-1)
        pooled = (h2 * m).sum(1) / torch.clamp(m.sum(1), min=1)
        su = self.sparse_aspect("user", x["userCat"], x["userNum"]) if "sparse" in aspects and "userCat" in x else None
        return pooled + su if su is not None else pooled

    def task(self, name, experts, xhat):
        g = torch.softmax(self.dense(f"mmoe.gate.{name}", xhat), -1)  # [B, E]
        mixed = (experts * g.unsqueeze(-1)).sum(1)
        t = torch.relu(self.dense(f"tower.{name}.1", mixed))
        return self.dense(f"tower.{name}.2", t).reshape(-1)

    def forward(self, x):
        """`x`: the RankerInputs of src/model/ranker.ts as tensors (ints as int64 or int32).
        Returns ctrLogit [B], relLogit [B], itemWeights [B, A], xhat [B, daDim]."""
        c = self.c
        aspects = c["aspects"]
        B = x["itemId"].shape[0]
        domain = x["domain"]
        text_h = self.dense("lm", x["textTable"]) if "text" in aspects else None
        masking = "id" in aspects and c.get("unknownIds") == "mask"

        def repeat(t):
            return t if t.shape[0] == B else t.expand(B, *t.shape[1:])

        item, query = [], []
        if "id" in aspects:
            item_ids = self.param("emb.id")[x["itemId"].long()]
            query_ids = self.param("emb.id")[x["queryId"].long()]
            item.append(item_ids * x["itemIdKnown"].unsqueeze(1) if masking and "itemIdKnown" in x else item_ids)
            query.append(repeat(query_ids * x["queryIdKnown"].unsqueeze(1) if masking and "queryIdKnown" in x else query_ids))
        if text_h is not None:
            item.append(text_h[x["itemText"].long()])
            query.append(repeat(text_h[x["queryText"].long()]))
        si = self.sparse_aspect("item", x["itemCat"], x["itemNum"]) if "sparse" in aspects else None
        if si is not None:
            item.append(si)
        sq = self.sparse_aspect("context", x["ctxCat"], x["ctxNum"]) if "sparse" in aspects else None
        if sq is not None:
            query.append(repeat(sq))

        I, item_weights = self.gate("item", item, domain, x.get("itemIdKnown") if masking else None)
        Q, _ = self.gate("query", query, domain, repeat(x["queryIdKnown"]) if masking and "queryIdKnown" in x else None)
        users = self.user_tower(x, text_h)
        U = users[x["userIndex"].long()] if "userIndex" in x else repeat(users)
        xcat = torch.cat([U, Q, I, U * I, Q * I], 1)
        if c["domainAdaptive"]:
            xhat = self.dense("da", torch.cat([xcat, self.param("emb.domain")[domain.long()]], 1))
        else:
            xhat = xcat
        experts = torch.relu(self.dense("mmoe.experts", xhat)).reshape(B, c["experts"], c["expertDim"])
        ctr = self.task("ctr", experts, xhat)
        m = match_columns(c)
        if m:
            # History-match features (src/model/history-match.ts): a linear term on the CTR logit.
            ctr = ctr + x["itemNum"][:, -m:] @ self.param("match.w")
        return {"ctrLogit": ctr, "relLogit": self.task("rel", experts, xhat), "itemWeights": item_weights, "xhat": xhat}
