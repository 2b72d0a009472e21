/**
 * The action vocabulary: what a behaviour event can be, which of them a behaviour sequence holds,
 * and the rows of the model's action table.
 */
import type { RankerConfig } from '../model/config.ts';

export const ACTIONS = ['click', 'view', 'search'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The actions a behaviour sequence holds in training: the data contract's clicks and typed queries
 * (src/data/dataset.ts historiesFrom). A 'view' is recorded and kept, but the user tower does not
 * read it: no training sample ever reached the model's 'view' row.
 */
export const HISTORY_ACTIONS: readonly Action[] = ['click', 'search'];

/** The rows of a new model's action table (`emb.action`): row 0 is padding, then each action. */
export const ACTION_ROWS: readonly string[] = ['none', ...ACTIONS];

/** An action's row in the model's table (the model's own list: a saved model keeps the rows it was trained with). */
export const actionRow = (c: RankerConfig, action: string) => Math.max(0, c.actions.indexOf(action));
