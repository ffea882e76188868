import type { BenchResponse } from './https-client';
import type { MixTally } from './request-mix';

const FAILED: BenchResponse = { status: 0, body: '' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cell's elapsed seconds (first send to last answer), and how many requests were due (paced) and sent. */
export interface Driven {
  seconds: number;
  scheduled: number;
  sent: number;
}

/**
 * Runs `clients` loops for `ms`, each sending `send(kind)` in the mix's order from its own offset.
 * Unpaced (closed loop), a client sends again as soon as it has its answer, and a latency runs from send to answer.
 * Paced at `perSecond` in all (open loop), request k of the cell is due at k / perSecond, client c sending requests
 * c, c + clients, c + 2·clients…: each leaves at its due time, or when the client's previous answer came if that was
 * later, and its latency counts from its due time, so a queue in front of a slow answer is counted rather than hidden
 * (coordinated omission, as wrk2 corrects it). A client more than a cell's length behind its schedule stops there.
 */
export async function drive(clients: number, ms: number, cycle: string[], send: (kind: string, client: number, i: number) => Promise<BenchResponse>, tally?: MixTally<string>, perSecond?: number): Promise<Driven> {
  const started = performance.now();
  const deadline = started + ms;
  const scheduled = perSecond === undefined ? Infinity : scheduledRequests(ms, perSecond);
  let sent = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0, k = c; k < scheduled; i++, k += clients) {
        let from = performance.now();
        if (perSecond === undefined) {
          if (from >= deadline) return;
        } else {
          if (from >= deadline + ms) return;
          const due = started + (k * 1000) / perSecond;
          if (due > from) await sleep(due - from);
          from = due;
        }
        const kind = cycle[(c + i) % cycle.length];
        sent++;
        const res = await send(kind, c, i).catch(() => FAILED);
        tally?.record(kind, performance.now() - from, res.status >= 200 && res.status < 300);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, scheduled, sent };
}

/** Requests due in a paced cell of `ms` at `perSecond`: k / perSecond falls before its end for k = 0 … n − 1. */
export const scheduledRequests = (ms: number, perSecond: number) => Math.ceil((ms * perSecond) / 1000);

/**
 * BENCH_API_PACED: the paced cells' rates, in percent of the saturated cell's requests/s (25, 50 and 75 unless set;
 * set empty for none).
 */
export function pacedShares(env: NodeJS.ProcessEnv = process.env): number[] {
  const text = env.BENCH_API_PACED ?? '25,50,75';
  if (text.trim() === '') return [];
  const shares = text.split(',').map((v) => Number(v.trim()));
  if (shares.some((v) => !Number.isFinite(v) || v <= 0 || v > 100)) throw new Error(`BENCH_API_PACED must be percentages in (0, 100] separated by commas, not "${text}"`);
  return shares;
}

