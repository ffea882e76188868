import type { PoolClient } from 'pg';
import { CheckpointConflictError } from './errors';
import { LogPosition } from './log-position';
import { namedQuery } from './named-query';

export async function loadCheckpoint(client: PoolClient, consumer: string, forUpdate = false): Promise<LogPosition | null> {
  // Named (`namedQuery`): the relay and projections load and store theirs on every batch.
  const { rows } = await namedQuery(client, {
    name: forUpdate ? 'op_es_checkpoint_lock' : 'op_es_checkpoint',
    text: `SELECT transaction_id::text AS t, position FROM checkpoints WHERE consumer = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    values: [consumer],
  });
  return rows[0] ? { transactionId: BigInt(rows[0].t), position: BigInt(rows[0].position) } : null;
}

/**
 * Compare-and-set: moves the checkpoint from `expected` to `next`, or throws
 * when another instance moved it first. Call it in the same transaction as
 * the writes the checkpoint covers, so both commit or neither does.
 */
export async function storeCheckpoint(client: PoolClient, consumer: string, expected: LogPosition | null, next: LogPosition): Promise<void> {
  const params = [consumer, next.transactionId.toString(), next.position.toString()];
  const result = expected
    ? await namedQuery(client, {
        name: 'op_es_checkpoint_move',
        text: `UPDATE checkpoints SET transaction_id = $2::text::xid8, position = $3, updated_at = now()
         WHERE consumer = $1 AND transaction_id = $4::text::xid8 AND position = $5`,
        values: [...params, expected.transactionId.toString(), expected.position.toString()],
      })
    : await namedQuery(client, {
        name: 'op_es_checkpoint_first',
        text: `INSERT INTO checkpoints (consumer, transaction_id, position) VALUES ($1, $2::text::xid8, $3) ON CONFLICT (consumer) DO NOTHING`,
        values: params,
      });
  if (result.rowCount !== 1) throw new CheckpointConflictError(consumer);
}
