/**
 * The quantities and durations of metrics.k8s.io objects, written as metrics-server's Go types write them: CPU from
 * nanocores and memory from bytes as canonical quantities (the largest suffix that keeps an integer: `1234567n`,
 * `250m`, `2`; `8188Ki`, `12Mi`), the window as a Go duration (`10s`, `10.004s`, `1m0.5s`).
 */
const CPU_SUFFIXES: Array<[string, number]> = [['', 1e9], ['m', 1e6], ['u', 1e3], ['n', 1]];
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export function cpuQuantity(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n === 0) return '0';
  const [suffix, scale] = CPU_SUFFIXES.find(([, s]) => n % s === 0)!;
  return `${n / scale}${suffix}`;
}

export function memoryQuantity(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY_SUFFIXES[i]}`;
}

/** A number of seconds as Go's time.Duration prints it (to the millisecond, which is all a window needs). */
export function goDuration(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${Number(s.toFixed(3))}s`;
}

/** The nanocores of a CPU quantity this file wrote; NaN for any other. */
export function nanoCoresOf(quantity: string): number {
  const m = /^(\d+)(m|u|n)?$/.exec(quantity);
  return m ? Number(m[1]) * CPU_SUFFIXES.find(([s]) => s === (m[2] ?? ''))![1] : NaN;
}

/** The bytes of a memory quantity this file wrote; NaN for any other. */
export function bytesOf(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(quantity);
  return m ? Number(m[1]) * 1024 ** BINARY_SUFFIXES.indexOf(m[2] ?? '') : NaN;
}
