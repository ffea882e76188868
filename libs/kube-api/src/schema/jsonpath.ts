import type { PrinterColumn } from '@openpacific/contracts';

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

/** The JSONPath subset printer columns use: `.a.b`, `['a.b']`, `[0]`, `[*]`, `[?(@.type=="Ready")]`. */
export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  let i = path.startsWith('$') ? 1 : 0;
  while (i < path.length) {
    if (path[i] === '.') {
      i++;
      const start = i;
      while (i < path.length && /[^.[\]]/.test(path[i])) i++;
      if (i > start) steps.push({ kind: 'key', key: path.slice(start, i) });
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${path}`);
      const inner = path.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1) });
      else {
        const m = /^\?\(@\.([\w.]+)\s*(==|!=)\s*['"]?([^'"]*)['"]?\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath expression [${inner}]`);
        steps.push({ kind: 'filter', path: m[1].split('.'), op: m[2] as '==' | '!=', value: m[3] });
      }
    } else {
      const start = i;
      while (i < path.length && /[^.[\]]/.test(path[i])) i++;
      steps.push({ kind: 'key', key: path.slice(start, i) });
    }
  }
  return steps;
}

export function evalJsonPath(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const step of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      if (step.kind === 'key' && typeof v === 'object' && !Array.isArray(v)) {
        const x = (v as Record<string, unknown>)[step.key];
        if (x !== undefined) next.push(x);
      } else if (step.kind === 'index' && Array.isArray(v)) {
        const x = v[step.index < 0 ? v.length + step.index : step.index];
        if (x !== undefined) next.push(x);
      } else if (step.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object') next.push(...Object.values(v as object));
      } else if (step.kind === 'filter' && Array.isArray(v)) {
        for (const item of v) {
          const got = step.path.reduce<any>((o, k) => (o == null ? undefined : o[k]), item);
          const same = got !== undefined && String(got) === step.value;
          if (step.op === '==' ? same : !same) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

/** A column's cell: a path's values joined by ',', or a template `{.a}/{.b}`. Undefined when nothing matched. */
export function renderColumnValue(obj: unknown, column: Pick<PrinterColumn, 'jsonPath'>): unknown {
  const path = column.jsonPath;
  if (path.includes('{')) {
    let matched = false;
    const text = path.replace(/\{([^}]*)\}/g, (_, p: string) => {
      const values = evalJsonPath(obj, p);
      if (values.length > 0) matched = true;
      return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
    });
    return matched ? text : undefined;
  }
  const values = evalJsonPath(obj, path);
  if (values.length === 0) return undefined;
  if (values.length === 1) return values[0];
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}
