import type * as Cel from '@bufbuild/cel';

let programs: { timestamp: (vars: { s: string }) => Cel.CelResult; duration: (vars: { s: string }) => Cel.CelResult; cel: typeof Cel } | undefined;

function formatPrograms(): NonNullable<typeof programs> {
  if (!programs) {
    // Loaded only once a rule runs, when cel-compile.ts has loaded the library already.
    const cel = require('@bufbuild/cel') as typeof Cel;
    const env = cel.celEnv({ variables: { s: cel.CelScalar.STRING } });
    programs = { cel, timestamp: cel.plan(env, cel.parse('timestamp(s)')) as any, duration: cel.plan(env, cel.parse('duration(s)')) as any };
  }
  return programs;
}

/**
 * A string as kube-apiserver hands it to CEL under its format: `date-time` and `date` as timestamps, `duration` as a
 * duration, `byte` as bytes (so `self.until > timestamp('2026-01-01T00:00:00Z')` holds); undefined where the string
 * stays a string (another format, or a value the conversion does not take).
 */
export function formattedForCel(format: string, text: string): unknown {
  const { cel, timestamp, duration } = formatPrograms();
  let result: Cel.CelResult | undefined;
  switch (format.replace(/-/g, '')) {
    case 'datetime':
      result = timestamp({ s: text.replace(/^(\d{4}-\d{2}-\d{2})t/, '$1T').replace(/z$/, 'Z') });
      break;
    case 'date':
      result = /^\d{4}-\d{2}-\d{2}$/.test(text) ? timestamp({ s: `${text}T00:00:00Z` }) : undefined;
      break;
    case 'duration':
      result = duration({ s: text });
      break;
    case 'byte':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
    default:
      return undefined;
  }
  return result === undefined || cel.isCelError(result) ? undefined : result;
}
