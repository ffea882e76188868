/**
 * Loaded into every process of a benchmark's cluster with `--require` (BENCH_PROFILE, see profiles.ts): the
 * first SIGUSR2 starts V8's sampling profiler, the next stops it and writes the profile to
 * `$OPENPACIFIC_PROFILE_DIR/pid-<pid>.cpuprofile` (the format of `node --cpu-prof`, which NODE_OPTIONS does not
 * allow). Signals, not process start and exit, bound it: a profile holds the measured window only, not the
 * start-up's schema compiles nor the shutdown. Plain Node.js, nothing of the repo: it runs before a service's
 * own code. Without the directory it does nothing, and SIGUSR2 keeps its default (it ends the process).
 */
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.OPENPACIFIC_PROFILE_DIR;
/** Microseconds between samples: a 10 s burst gives 20,000 samples per process, enough to see 0.1 % shares. */
const SAMPLING_INTERVAL_US = 500;

if (dir) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    if (!session) {
      session = new Session();
      session.connect();
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      session.post('Profiler.start');
      return;
    }
    const stopping = session;
    session = undefined;
    // An in-process session answers synchronously: the file is written before the handler returns, under
    // another name first, so a reader waiting for it never sees half of it.
    stopping.post('Profiler.stop', (err, result) => {
      if (!err) {
        const file = join(dir, `pid-${process.pid}.cpuprofile`);
        writeFileSync(`${file}.part`, JSON.stringify(result.profile));
        renameSync(`${file}.part`, file);
      }
      stopping.disconnect();
    });
  });
}
