/**
 * The string `format`s a CRD schema may declare and how a value is checked against them, following
 * kube-openapi's strfmt registry as apiextensions-apiserver configures it: unknown formats are
 * dropped (never enforced), format names are compared without dashes (`date-time` = `datetime`).
 */
import { isIP } from 'node:net';

type FormatCheck = (value: string) => boolean;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const HOST_CHAR = 'a-zA-Z0-9\\p{S}\\p{L}';
const HOSTNAME = new RegExp(
  `^([${HOST_CHAR}]((-?[${HOST_CHAR}]{0,62})?)|([${HOST_CHAR}](([${HOST_CHAR}-]{0,61}[${HOST_CHAR}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$`, 'u');
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;
const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*:\S+|\/\S*)$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const BYTE_VALUE = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGBCOLOR = new RegExp(`^rgb\\(${BYTE_VALUE},${BYTE_VALUE},${BYTE_VALUE}\\)$`);
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const UNIT_DURATION = /(\d+)\s*([A-Za-zµ]+)/g;
const DURATION_UNITS = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];

/** A calendar date `2006-01-02` with a day that exists in that month. */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** An RFC 3339 date-time as strfmt accepts it (date, `T`, time, optional fraction, zone). */
export function isDateTime(value: string): boolean {
  if (value.length < 4) return false;
  const parts = value.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = TIME.exec(parts[1]);
  return !!m && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

function isUnitDuration(value: string): boolean {
  let ok = false;
  for (const match of value.matchAll(UNIT_DURATION)) {
    const unit = match[2].toLowerCase();
    ok ||= DURATION_UNITS.some((variants) => variants.some((v, i) => unit === v || (i === variants.length - 1 && unit.startsWith(v))));
  }
  return ok;
}

/** A Go duration (`1h30m`) or the "<n> <unit>" form strfmt also accepts (`3 days`). */
export function isDuration(value: string): boolean {
  return GO_DURATION.test(value) || isUnitDuration(value);
}

function isHostname(value: string): boolean {
  return HOSTNAME.test(value) && value.length <= 255 && value.split('.').every((label) => label.length <= 63);
}

function isCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(ip);
  if (!family || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const CHECKS: ReadonlyMap<string, FormatCheck> = new Map<string, FormatCheck>([
  ['datetime', isDateTime],
  ['date', isDate],
  ['duration', isDuration],
  ['byte', (v) => BASE64.test(v)],
  ['password', () => true],
  ['uuid', (v) => UUID.test(v)],
  ['uuid3', (v) => UUID3.test(v)],
  ['uuid4', (v) => UUID4.test(v)],
  ['uuid5', (v) => UUID5.test(v)],
  ['ipv4', (v) => isIP(v) === 4],
  ['ipv6', (v) => isIP(v) === 6],
  ['cidr', isCIDR],
  ['hostname', isHostname],
  ['mac', (v) => MAC.test(v)],
  ['email', (v) => EMAIL.test(v)],
  ['uri', (v) => URI.test(v)],
  ['hexcolor', (v) => HEXCOLOR.test(v)],
  ['rgbcolor', (v) => RGBCOLOR.test(v)],
]);

/** The registry key of a format name: kube-openapi compares names without dashes. */
function normalizeFormat(format: string): string {
  return format.replaceAll('-', '').toLowerCase();
}

/**
 * The check for a string format, or undefined when the format is not one kube enforces
 * (an unknown format on a string is ignored, as apiextensions-apiserver strips it).
 */
export function stringFormatCheck(format: string): FormatCheck | undefined {
  return CHECKS.get(normalizeFormat(format));
}

/**
 * The format that takes effect for a schema node after apiextensions' post-processing: strings
 * keep known string formats, integers only int32/int64, numbers only float/double.
 */
export function effectiveFormat(type: string | undefined, format: string | undefined): string {
  if (!format) return '';
  if (!type || type === 'string') return CHECKS.has(normalizeFormat(format)) ? format : '';
  if (type === 'integer') return format === 'int32' || format === 'int64' ? format : '';
  if (type === 'number') return format === 'float' || format === 'double' ? format : '';
  return '';
}
