import { badRequest } from './status';

export type LabelOperator = 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'GreaterThan' | 'LessThan';
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}
export type LabelSelector = LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * The label selector syntax of `kubectl get -l`: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas.
 */
export function parseLabelSelector(input: string): LabelSelector {
  const out: LabelSelector = [];
  let i = 0;
  const s = input;
  const fail = (msg: string): never => {
    throw badRequest(`unable to parse requirement: ${msg}`);
  };
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const word = () => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,!=<>()]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  const checkKey = (key: string) => {
    if (!KEY.test(key) || key.split('/').pop()!.length > 63) {
      fail(`<nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
  };
  const checkValue = (v: string) => {
    if (!VALUE.test(v) || v.length > 63) {
      fail(`values[0][${v}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
  };
  skipWs();
  if (i >= s.length) return out;
  for (;;) {
    skipWs();
    let negated = false;
    if (s[i] === '!') {
      negated = true;
      i++;
    }
    const key = word();
    if (!key) fail(`found '${s[i] ?? ''}', expected: identifier`);
    checkKey(key);
    skipWs();
    if (negated) {
      out.push({ key, operator: 'DoesNotExist', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      out.push({ key, operator: 'Exists', values: [] });
    } else if (s.startsWith('==', i) || s.startsWith('!=', i) || s[i] === '=' || s[i] === '>' || s[i] === '<') {
      const symbol = ['==', '!=', '=', '>', '<'].find((op) => s.startsWith(op, i))!;
      const operator = ({ '==': 'Equals', '!=': 'NotEquals', '=': 'Equals', '>': 'GreaterThan', '<': 'LessThan' } as Record<string, LabelOperator>)[symbol];
      i += symbol.length;
      const value = word();
      if ((operator === 'GreaterThan' || operator === 'LessThan') && !/^-?\d+$/.test(value)) {
        fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      checkValue(value);
      out.push({ key, operator, values: [value] });
    } else {
      const op = word();
      if (op !== 'in' && op !== 'notin') fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      skipWs();
      if (s[i] !== '(') fail(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const v = word();
        checkValue(v);
        values.push(v);
        skipWs();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        fail(`found '${s[i] ?? ''}', expected: ',', ')' or identifier`);
      }
      out.push({ key, operator: op === 'in' ? 'In' : 'NotIn', values });
    }
    skipWs();
    if (i >= s.length) return out;
    if (s[i] !== ',') fail(`found '${s[i]}', expected: ',' or 'end of string'`);
    i++;
  }
}

export function matchesLabelSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'Equals':
      case 'In':
        return has && r.values.includes(v);
      case 'NotEquals':
      case 'NotIn':
        return !has || !r.values.includes(v);
      case 'GreaterThan':
        return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
      case 'LessThan':
        return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
    }
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as a selector. */
export function labelSelectorFromObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }): LabelSelector {
  const out: LabelSelector = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'Equals' as const, values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const operator = ({ In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' } as Record<string, LabelOperator>)[e.operator];
    if (!operator) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    out.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return out;
}

export interface FieldRequirement {
  field: string;
  operator: 'Equals' | 'NotEquals';
  value: string;
}
export type FieldSelector = FieldRequirement[];

/** `metadata.name=x,status.phase!=Running`; a field the kind does not index is a 400. */
export function parseFieldSelector(input: string, supportedFields: string[]): FieldSelector {
  const out: FieldSelector = [];
  for (const raw of input.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const m = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    const [, field, op, value] = m;
    if (!supportedFields.includes(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, operator: op === '!=' ? 'NotEquals' : 'Equals', value: value.trim() });
  }
  return out;
}

export function matchesFieldSelector(selector: FieldSelector, get: (field: string) => string | undefined): boolean {
  return selector.every((r) => {
    const v = get(r.field) ?? '';
    return r.operator === 'Equals' ? v === r.value : v !== r.value;
  });
}
