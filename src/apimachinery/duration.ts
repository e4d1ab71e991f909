/**
 * Go durations as Kubernetes objects carry them (metav1.Duration fields such as `30m`, `1h30m`,
 * `500ms`): Go's time.ParseDuration and Duration.String, plus kubectl's AGE column
 * (apimachinery pkg/util/duration HumanDuration).
 *
 * Internally everything is a bigint count of nanoseconds, like Go's int64 Duration.
 */

const NS_PER_US = 1_000n;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const NS_PER_MIN = 60n * NS_PER_S;
const NS_PER_HOUR = 60n * NS_PER_MIN;
const MAX_DURATION_NS = 2n ** 63n - 1n;

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: NS_PER_US,
  'µs': NS_PER_US, // U+00B5 micro sign
  'μs': NS_PER_US, // U+03BC Greek mu
  ms: NS_PER_MS,
  s: NS_PER_S,
  m: NS_PER_MIN,
  h: NS_PER_HOUR,
};

/** Go's quote() in package time: the text in double quotes with `"` and `\` escaped. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function invalid(original: string): Error {
  return new Error(`time: invalid duration ${quote(original)}`);
}

const TWO_POW_63 = 2n ** 63n;

interface NumberPart {
  whole: bigint;
  /** The fraction digits Go keeps (it stops before overflowing), as an integer and its 10^n scale. */
  fraction: bigint;
  fractionScale: number;
  rest: string;
}

/** Go's leadingFraction: digits after the dot, ignoring those that would overflow. */
function leadingFraction(digits: string): { fraction: bigint; fractionScale: number } {
  let fraction = 0n;
  let fractionScale = 1;
  for (const digit of digits) {
    const next = fraction * 10n + BigInt(digit);
    if (fraction > (TWO_POW_63 - 1n) / 10n || next > TWO_POW_63) break;
    fraction = next;
    fractionScale *= 10;
  }
  return { fraction, fractionScale };
}

/** `12`, `1.5`, `1.` or `.5` at the start of `text`; undefined when there are no digits at all. */
function leadingNumber(text: string, original: string): NumberPart | undefined {
  const [all, wholeDigits, fractionDigits] = /^([0-9]*)(?:\.([0-9]*))?/.exec(text)!;
  if (wholeDigits === '' && !fractionDigits) return undefined;
  const whole = BigInt(wholeDigits || '0');
  if (whole > TWO_POW_63) throw invalid(original);
  return { whole, ...leadingFraction(fractionDigits ?? ''), rest: text.slice(all.length) };
}

/** One `<number><unit>` element in nanoseconds, and the text after it. */
function parseElement(text: string, original: string): { nanos: bigint; rest: string } {
  if (!/^[0-9.]/.test(text)) throw invalid(original);
  const number = leadingNumber(text, original);
  if (!number) throw invalid(original);
  const unitText = /^[^0-9.]*/.exec(number.rest)![0];
  if (unitText === '') throw new Error(`time: missing unit in duration ${quote(original)}`);
  const unit = UNIT_NANOS[unitText];
  if (unit === undefined) throw new Error(`time: unknown unit ${quote(unitText)} in duration ${quote(original)}`);
  let nanos = number.whole * unit;
  if (nanos > TWO_POW_63) throw invalid(original);
  // Go scales the fraction in floating point and truncates (exact to the nanosecond for hours).
  nanos += BigInt(Math.trunc(Number(number.fraction) * (Number(unit) / number.fractionScale)));
  if (nanos > TWO_POW_63) throw invalid(original);
  return { nanos, rest: number.rest.slice(unitText.length) };
}

/** time.ParseDuration, in nanoseconds. Throws Go's error text for bad input. */
export function parseDurationNanos(text: string): bigint {
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid(text);
  let total = 0n;
  while (rest !== '') {
    const element = parseElement(rest, text);
    total += element.nanos;
    if (total > TWO_POW_63) throw invalid(text);
    rest = element.rest;
  }
  if (negative) return -total;
  if (total > MAX_DURATION_NS) throw invalid(text);
  return total;
}

/**
 * time.ParseDuration in milliseconds (`30m` → 1800000, `500ms` → 500, `1.5h` → 5400000);
 * sub-millisecond parts give a fraction. Throws e.g. `time: unknown unit "x" in duration "5x"`.
 */
export function parseDuration(text: string): number {
  const nanos = parseDurationNanos(text);
  return Number(nanos / NS_PER_MS) + Number(nanos % NS_PER_MS) / 1e6;
}

/** `<whole>.<fraction>` with the fraction's trailing zeros (and a bare dot) dropped. */
function withFraction(value: bigint, digits: number): string {
  const divisor = 10n ** BigInt(digits);
  const fraction = (value % divisor).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction === '' ? `${value / divisor}` : `${value / divisor}.${fraction}`;
}

function formatSubSecond(nanos: bigint): string {
  if (nanos < NS_PER_US) return `${nanos}ns`;
  if (nanos < NS_PER_MS) return `${withFraction(nanos, 3)}µs`;
  return `${withFraction(nanos, 6)}ms`;
}

function formatNanosMagnitude(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  if (nanos < NS_PER_S) return formatSubSecond(nanos);
  const seconds = withFraction(nanos % NS_PER_MIN, 9);
  const minutes = nanos / NS_PER_MIN;
  if (minutes === 0n) return `${seconds}s`;
  const hours = minutes / 60n;
  return hours === 0n ? `${minutes}m${seconds}s` : `${hours}h${minutes % 60n}m${seconds}s`;
}

/** Duration.String for nanoseconds: `1h30m0s`, `1.5s`, `500ms`, `0s`. */
export function formatDurationNanos(nanos: bigint): string {
  return nanos < 0n ? `-${formatNanosMagnitude(-nanos)}` : formatNanosMagnitude(nanos);
}

/** Duration.String for milliseconds, as Go prints a metav1.Duration: 5400000 → `1h30m0s`. */
export function formatDuration(ms: number): string {
  return formatDurationNanos(BigInt(Math.round(ms * 1e6)));
}

/** HumanDuration for durations of at least two minutes (the shorter cases are handled by formatAge). */
function humanLong(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/**
 * kubectl's AGE column (HumanDuration): `45s`, `3m20s`, `15m`, `5h3m`, `20h`, `2d3h`, `30d`,
 * `2y10d`. Slightly negative ages (clock skew up to two seconds) read `0s`; more is `<invalid>`.
 */
export function formatAge(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  return humanLong(seconds);
}
