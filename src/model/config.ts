/**
 * The ranking network's configuration: everything needed to rebuild its shape, saved in the
 * model manifest and read back by the browser runtime.
 */
/** What an ID the model never learnt says: see RankerConfig.unknownIds. */
export type UnknownIds = 'hash' | 'mask';
export type Gating = 'mean' | 'cls' | 'domain';
export type Regularizer = 'js' | 'mmd' | 'none';
export const ASPECTS = ['id', 'text', 'sparse'] as const;
export type Aspect = (typeof ASPECTS)[number];

export interface FeatureConfig {
  /** Categorical fields, hashed into the shared sparse table, in this order. */
  categorical: string[];
  /** Numeric fields, standardised with the training split's mean and std, in this order. */
  numeric: { name: string; mean: number; std: number }[];
}

export interface RankerConfig {
  /** Common embedding size H. */
  hidden: number;
  /** Text encoder dimension D (from the encoder's config). */
  textDim: number;
  encoderId: string;
  idBuckets: number;
  sparseBuckets: number;
  sparseDim: number;
  itemFeatures: FeatureConfig;
  /** Per-event (context) features: the sparse aspect of the query side. */
  contextFeatures: FeatureConfig;
  /**
   * Per-user features (users.jsonl; in the page, `context.userFeatures`): through their own MLP
   * into the user tower's E(U). Absent or empty: the model has none (models saved before they
   * existed read as empty).
   */
  userFeatures?: FeatureConfig;
  historyLength: number;
  /** Domain names; index 0 is the generic domain used for a name the model does not know. */
  domains: string[];
  /** Rows of the domain tables (room for domains added by fine-tuning). */
  maxDomains: number;
  gating: Gating;
  /** Which aspects exist (the --no-text / --no-id ablations drop one). */
  aspects: Aspect[];
  domainAdaptive: boolean;
  /** Output size of the domain-adaptive layer. */
  daDim: number;
  reg: Regularizer;
  regWeight: number;
  experts: number;
  expertDim: number;
  towerDim: number;
  /** Probability, in training, of showing a sample as the generic domain 0. */
  domainDropout: number;
  /** Rows of the action table (src/features/actions.ts ACTION_ROWS when the model was made). */
  actions: string[];
  /**
   * What an ID the model never learnt says (src/model/known-ids.ts): 'mask' leaves it out (the ID
   * aspect drops out of the gating, a history event adds no ID embedding); 'hash' reads its hashed
   * bucket anyway. Models saved before this existed read as 'hash'.
   */
  unknownIds?: UnknownIds;
  /** With 'mask': the known item and query IDs, as encodeKnownIds writes them. */
  knownIds?: string;
  /** Probability, in training, of hiding a known item's ID as if it were new (DropoutNet). */
  idDropout?: number;
  /**
   * Probability, in training, of hiding a history event's ID as if it were new (each event on its
   * own), so that the user tower also learns what the history's texts say: E(U) is what a new
   * item's text is matched against. Models saved before this existed read as 0.
   */
  histIdDropout?: number;
  /**
   * History events carry their item's features: each event adds the item side's sparse MLP
   * (sparse.item, shared with the candidates) of its item's features to its embedding, so the user
   * tower sees what kind of items the user clicked, not only their IDs and texts. Needs the sparse
   * aspect and item features (historyFeaturesOn); a search event's features read as missing.
   * On for new models since 2026-11-28 (DEFAULT_RANKER); models saved before this existed read as false.
   */
  historyFeatures?: boolean;
  /**
   * Decoupled weight decay λ on the embedding tables in training (AdamW, Loshchilov & Hutter 2019,
   * on the `emb.*` tables only): after each Adam step every trainable row is scaled by 1 − lr·λ, so
   * a row that its samples stop pulling shrinks towards zero: an item clicked a few times says less
   * through its ID than one clicked often. Training only (no parameter, no kernel change); kept in
   * the config so that a fine-tune and the PyTorch engine train as the model was trained. Absent or
   * 0: none (models saved before this existed).
   */
  embDecay?: number;
  /**
   * History-match features (src/model/history-match.ts): each candidate gets two more numeric item
   * features, `~repeat` (it is among the history's clicked items) and `~covisit` (how often training
   * users clicked it together with the history's clicked items), computed from the behaviour
   * sequence and the co-visitation table `covisits`. Needs the sparse aspect. Absent: off (models
   * saved before this existed, and new models unless asked: `kindling train --history-match`).
   */
  historyMatch?: boolean;
  /** With historyMatch: the co-visitation counts of the training split, as encodeCovisits writes them. */
  covisits?: string;
  /**
   * With historyMatch: the table keeps only pairs that at least this many training users made (a pair
   * counted once is one user's two clicks, shipped in the model file). Absent: 1, every pair.
   */
  covisitMin?: number;
  /**
   * With historyMatch: a third column, `~same`: ln(1 + how many (clicked item, feature) pairs of the
   * history's other clicked items share a categorical item feature's value with the candidate), the
   * category match that click-through models read beside the item's own match (a new item has it
   * too, where it has features). Needs a categorical item feature. Absent: off (`--match-features`).
   */
  matchFeatures?: boolean;
}

/** A new model's hyperparameters; what comes from the data (text width, features, domains, actions) is not here. */
export const DEFAULT_RANKER: Omit<RankerConfig, 'textDim' | 'encoderId' | 'itemFeatures' | 'contextFeatures' | 'domains' | 'actions'> = {
  hidden: 32,
  idBuckets: 1 << 14,
  sparseBuckets: 1 << 12,
  sparseDim: 8,
  historyLength: 50,
  maxDomains: 16,
  gating: 'domain',
  aspects: ['id', 'text', 'sparse'],
  domainAdaptive: true,
  daDim: 64,
  reg: 'js',
  regWeight: 0.1,
  experts: 4,
  expertDim: 32,
  towerDim: 16,
  domainDropout: 0.1,
  unknownIds: 'mask',
  idDropout: 0.2,
  histIdDropout: 0.5,
  historyFeatures: true,
};

export const NO_FEATURES: FeatureConfig = { categorical: [], numeric: [] };
export const userFeaturesOf = (c: RankerConfig): FeatureConfig => c.userFeatures ?? NO_FEATURES;

/** How many categorical (F) and numeric (N) features each side has: item, context, user. */
export function featureCounts(c: RankerConfig) {
  const u = userFeaturesOf(c);
  return {
    Fi: c.itemFeatures.categorical.length, Ni: c.itemFeatures.numeric.length,
    Fe: c.contextFeatures.categorical.length, Ne: c.contextFeatures.numeric.length,
    Fu: u.categorical.length, Nu: u.numeric.length,
  };
}

/**
 * How many of the item's numeric columns are history-match features (RankerConfig.historyMatch, the
 * last two, three with matchFeatures): they bypass the sparse MLP and add to the CTR logit through their own weights.
 */
export const matchColumns = (c: RankerConfig) => (c.historyMatch && c.aspects.includes('sparse') ? (c.matchFeatures ? 3 : 2) : 0);

/** Whether history events add their item's features (RankerConfig.historyFeatures) in this config. */
export const historyFeaturesOn = (c: RankerConfig) =>
  !!c.historyFeatures && c.aspects.includes('sparse') && c.itemFeatures.categorical.length + c.itemFeatures.numeric.length - matchColumns(c) > 0;

/** The name of domain row 0: the generic domain that serves a scenario the model was not trained on. */
export const GENERIC_DOMAIN = '(generic)';

/** Index of a domain name, or 0 (generic) for a name the model was not trained on. */
export function domainIndex(config: RankerConfig, name: string): number {
  const i = config.domains.indexOf(name);
  return i > 0 ? i : 0;
}
