/** Runs `work` on `writers` concurrent loops for `durationMs`; returns operations/s and latency percentiles. */
export async function measure(writers: number, durationMs: number, work: (writer: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = Date.now() + durationMs;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        await work(w);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { ops: latencies.length, perSecond: latencies.length / seconds, p50: pct(50), p99: pct(99) };
}
