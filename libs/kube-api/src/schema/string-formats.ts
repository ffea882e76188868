import { isIPv6 } from 'node:net';
import type { JsonSchema } from '@openpacific/contracts';
import type { ValidationCause } from './validate';

/**
 * The string formats kube-apiserver checks in a custom resource (kube-openapi's strfmt registry, which looks a format
 * up with its dashes removed: `date-time` is `datetime`). Any other format, numeric ones (int32, double…) included,
 * is documentation only.
 */
const FORMATS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestUri,
  email: isEmail,
  hostname: (s) => s.length <= 255 && HOSTNAME.test(s) && s.split('.').every((label) => label.length <= 63),
  ipv4: (s) => isIPSloppy(s) && s.includes('.'),
  ipv6: (s) => isIPSloppy(s) && s.includes(':'),
  cidr: isCidrSloppy,
  mac: isMac,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  isbn: (s) => isIsbn10(s) || isIsbn13(s),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: (s) => CREDIT_CARD.test(s.replace(/[^0-9]/g, '')),
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => RGB.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s.replace(/[\r\n]/g, '')),
  password: () => true,
  date: isFullDate,
  duration: isDuration,
  datetime: isDateTime,
};

/** Whether `value` is of `format`; true for a format kube-apiserver does not check. */
export function matchesFormat(format: string, value: string): boolean {
  const check = FORMATS[format.replace(/-/g, '')];
  return check ? check(value) : true;
}

/**
 * The strings of a custom resource that are not of their schema's format, worded as kube-apiserver words them
 * (`spec.when: Invalid value: "x": spec.when in body must be of type date-time: "x"`).
 */
export function formatCauses(schema: JsonSchema | undefined, value: unknown, path = ''): ValidationCause[] {
  if (!schema || value === null || value === undefined) return [];
  if (typeof value === 'string') {
    if (typeof schema.format !== 'string' || matchesFormat(schema.format, value)) return [];
    const where = path || 'body';
    return [{ field: path, reason: 'FieldValueTypeInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${where} in body must be of type ${schema.format}: ${JSON.stringify(value)}` }];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => formatCauses(schema.items, item, `${path}[${i}]`));
  if (typeof value !== 'object') return [];
  const props: Record<string, JsonSchema> = schema.properties ?? {};
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.entries(value).flatMap(([k, v]) => formatCauses(Object.hasOwn(props, k) ? props[k] : additional, v, path ? `${path}.${k}` : k));
}

const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const BYTE = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGB = new RegExp(`^rgb\\(${BYTE},${BYTE},${BYTE}\\)$`);

/** Go's url.ParseRequestURI: an absolute URI (with a scheme) or an absolute path, without control characters. */
export function isRequestUri(s: string): boolean {
  if (s === '' || [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  if (s.startsWith('/')) return true;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:(.*)$/.exec(s);
  if (!m) return false;
  if (!m[1].startsWith('//')) return true;
  const authority = m[1].slice(2).split(/[/?#]/)[0];
  return !/[\s<>"{}|\\^`]/.test(authority.replace(/^[^@]*@/, ''));
}

/** Go's net/mail.ParseAddress, for the forms people write: `a@b.c` or `Name <a@b.c>`. */
function isEmail(s: string): boolean {
  const addr = /^[^<>]*<([^<>]+)>$/.exec(s.trim())?.[1] ?? s.trim();
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/.test(addr) && !addr.startsWith('.') && !addr.includes('..');
}

/** k8s.io/utils/net's ParseIPSloppy: Go's net.ParseIP that also takes IPv4 octets with leading zeros. */
function isIPSloppy(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((o) => Number(o) <= 255);
  return isIPv6(s);
}

function isCidrSloppy(s: string): boolean {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  if (!isIPSloppy(ip) || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (ip.includes(':') ? 128 : 32);
}

/** Go's net.ParseMAC: EUI-48, EUI-64 or 20-octet InfiniBand addresses, in colon, dash or dot notation. */
function isMac(s: string): boolean {
  const bytes = [6, 8, 20];
  if (/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2})+$/.test(s)) {
    const separators = new Set(s.replace(/[0-9a-fA-F]/g, ''));
    return separators.size === 1 && bytes.includes(s.split(/[:-]/).length);
  }
  if (/^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4})+$/.test(s)) return bytes.includes(s.split('.').length * 2);
  return false;
}

function isIsbn10(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
  const sum = [...d].reduce((n, c, i) => n + (i + 1) * (c === 'X' ? 10 : Number(c)), 0);
  return sum % 11 === 0;
}

function isIsbn13(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(d)) return false;
  const sum = [...d.slice(0, 12)].reduce((n, c, i) => n + Number(c) * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10 === Number(d[12]);
}

/** RFC 3339 full-date as Go's time.Parse reads it: the day must exist in its month. */
function isFullDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** kube-openapi's date-time: a full-date, `t`, then hh:mm:ss, an optional fraction and a zone, case-insensitively. */
function isDateTime(s: string): boolean {
  const parts = s.toLowerCase().split('t');
  if (s.length < 4 || parts.length < 2 || !isFullDate(parts[0])) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]);
  return !!m && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

const DURATION_UNITS = [
  'ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds', 'us', 'µs', 'micro', 'micros', 'microsecond', 'microseconds',
  'ms', 'milli', 'millis', 'millisecond', 'milliseconds', 's', 'sec', 'secs', 'second', 'seconds',
  'm', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hour', 'hours', 'd', 'day', 'days', 'w', 'wk', 'week', 'weeks',
];

/** kube-openapi's duration: Go's time.ParseDuration, or any `<number> <unit>` with a unit it knows ("3 days"). */
function isDuration(s: string): boolean {
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(s) || s === '0') return true;
  return [...s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)].some((m) => DURATION_UNITS.includes(m[2].toLowerCase()));
}
