/**
 * resource.Quantity (apimachinery pkg/api/resource): exact fixed-point amounts such as `100m`,
 * `1.5`, `2Gi` or `1e3`, compared and added exactly and printed in kube's canonical form.
 *
 * Every quantity kube can hold is a whole number of nano-units (smaller fractions round up,
 * away from zero), so the value is kept as a bigint count of 10^-9 units.
 */

/** How a quantity prints: decimal SI suffixes (`m`, `k`, `M`…), binary (`Ki`, `Mi`…) or `e<n>`. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The pattern kube names when a quantity is malformed. */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** ErrFormatWrong. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
/** ErrSuffix. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
/** ErrNumeric; also used here for exponents too large to represent. */
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
/** BinarySI amounts are capped at math.MaxInt64 units, as kube does. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;
/** Decimal exponents beyond this are refused instead of materialising huge numbers. */
const MAX_DECIMAL_EXPONENT = 1000;

/** An exact quantity; immutable. */
export class Quantity {
  /** The amount in units of 10^-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** The text as parsed, when kube would print it unchanged; otherwise the canonical form is printed. */
  readonly original: string | undefined;

  constructor(nanos: bigint, format: QuantityFormat, original?: string) {
    this.nanos = nanos;
    this.format = format;
    this.original = original;
  }

  /** The value as a JavaScript number (nearest double). */
  toNumber(): number {
    return Number(`${this.nanos}e-9`);
  }

  /** Value(): whole units, rounded up away from zero (`100m` → 1). */
  toInteger(): number {
    return Number(divideAwayFromZero(this.nanos, NANOS_PER_UNIT));
  }

  /** MilliValue(): whole milli-units, rounded up away from zero (`0.1` → 100, `1n` → 1). */
  toMilli(): number {
    return Number(divideAwayFromZero(this.nanos, NANOS_PER_MILLI));
  }

  /** The text kube writes for this quantity. */
  toString(): string {
    return formatQuantity(this);
  }

  /** Quantities serialise as their text, as in kube's JSON. */
  toJSON(): string {
    return formatQuantity(this);
  }
}

function divideAwayFromZero(n: bigint, divisor: bigint): bigint {
  const quotient = n / divisor;
  if (n % divisor === 0n) return quotient;
  return n > 0n ? quotient + 1n : quotient - 1n;
}

/** The parts of a quantity's text, as kube's scanner splits them. */
interface QuantityText {
  negative: boolean;
  /** Integer digits without leading zeros; "0" when there are none. */
  whole: string;
  fraction: string;
  suffix: string;
}

function digitsEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && text[end] >= '0' && text[end] <= '9') end++;
  return end;
}

const SUFFIX_CHARS = 'eEinumkKMGTP';

/** Splits `[+-]digits[.digits][suffix]`; throws the format error when anything is left over. */
function splitQuantityText(text: string): QuantityText {
  let pos = 0;
  const negative = text[0] === '-';
  if (text[0] === '-' || text[0] === '+') pos++;
  while (text[pos] === '0') pos++;
  const wholeEnd = digitsEnd(text, pos);
  const whole = text.slice(pos, wholeEnd) || '0';
  pos = wholeEnd;
  let fraction = '';
  if (text[pos] === '.') {
    const fractionEnd = digitsEnd(text, pos + 1);
    fraction = text.slice(pos + 1, fractionEnd);
    pos = fractionEnd;
  }
  const suffixStart = pos;
  while (pos < text.length && SUFFIX_CHARS.includes(text[pos])) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  pos = digitsEnd(text, pos);
  if (pos < text.length) throw new Error(QUANTITY_FORMAT_ERROR);
  return { negative, whole, fraction, suffix: text.slice(suffixStart) };
}

interface SuffixMeaning {
  base: 10 | 2;
  exponent: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function interpretSuffix(suffix: string): SuffixMeaning {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_DECIMAL_EXPONENT) throw new Error(QUANTITY_NUMERIC_ERROR);
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new Error(QUANTITY_SUFFIX_ERROR);
}

/** ceil(|digits| × 10^shift) in nanos; shift may be negative (rounding up, as kube does). */
function scaleUp(digits: bigint, shift: number): bigint {
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(Math.min(-shift, digits.toString().length + 1));
  return (digits + divisor - 1n) / divisor;
}

function magnitudeNanos(parts: QuantityText, meaning: SuffixMeaning): bigint {
  const digits = BigInt(parts.whole + parts.fraction);
  const decimals = parts.fraction.length;
  if (meaning.base === 10) return scaleUp(digits, meaning.exponent - decimals + 9);
  const scaled = digits * 2n ** BigInt(meaning.exponent) * NANOS_PER_UNIT;
  const divisor = 10n ** BigInt(decimals);
  const nanos = (scaled + divisor - 1n) / divisor;
  return nanos > MAX_BINARY_NANOS ? MAX_BINARY_NANOS : nanos;
}

/*
 * kube keeps the parsed text (and prints it back verbatim) only when the amount took its fast
 * int64 path and the text already looked canonical; everything else is re-printed canonically.
 * These two predicates reproduce exactly when that happens, so "100m" stays "100m" while
 * "1000m" becomes "1" and "0.1" becomes "100m".
 */
function decimalTextIsKept(parts: QuantityText, exponent: number): boolean {
  const shifted = parts.whole + parts.fraction;
  const scale = exponent - parts.fraction.length;
  const fitsInt64Path = shifted.length <= 18 && scale >= -9;
  return fitsInt64Path && scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

function binaryTextIsKept(parts: QuantityText, exponent: number): boolean {
  if (parts.fraction !== '') return false;
  const precision = 15 - parts.whole.length - Math.trunc((exponent * 3) / 10) - 1;
  if (precision < 0) return false;
  const value = BigInt(parts.whole);
  const fitsInt64 = value << BigInt(exponent) <= 2n ** 63n - 1n;
  return fitsInt64 && (value & 7n) !== 0n;
}

function parseQuantityText(text: string): Quantity {
  if (text.length === 0) throw new Error(QUANTITY_FORMAT_ERROR);
  if (text === '0') return new Quantity(0n, 'DecimalSI', '0');
  const parts = splitQuantityText(text);
  const meaning = interpretSuffix(parts.suffix);
  const magnitude = magnitudeNanos(parts, meaning);
  const nanos = parts.negative ? -magnitude : magnitude;
  // A binary amount below one unit cannot be printed with a binary suffix.
  const format = meaning.format === 'BinarySI' && magnitude > 0n && magnitude < NANOS_PER_UNIT ? 'DecimalSI' : meaning.format;
  const kept = meaning.base === 2 ? binaryTextIsKept(parts, meaning.exponent) : decimalTextIsKept(parts, meaning.exponent);
  return new Quantity(nanos, format, kept ? text : undefined);
}

/**
 * resource.ParseQuantity. A number is read as the JSON number it came from (`0.5`, `2`, `1e3`).
 * Throws an Error with kube's message (QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR) when malformed.
 * Unlike JSON decoding in kube, surrounding whitespace is not trimmed here.
 */
export function parseQuantity(value: string | number): Quantity {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(QUANTITY_FORMAT_ERROR);
    return parseQuantityText(String(value));
  }
  return parseQuantityText(value);
}

/** Kube's reasons why `value` is not a quantity (at most one message); empty when it is one. */
export function isValidQuantity(value: string): string[] {
  try {
    parseQuantity(value);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** Shifts trailing zero digits into the exponent, then back down to a multiple of three. */
function decimalCanonical(nanos: bigint): { mantissa: bigint; exponent: number } {
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  return { mantissa, exponent };
}

const DECIMAL_SUFFIX_OF_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));

function formatDecimal(nanos: bigint, format: QuantityFormat): string {
  let { mantissa, exponent } = decimalCanonical(nanos);
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  // Beyond `E` kube would drop the suffix (and so the magnitude); stay at `E` instead.
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${DECIMAL_SUFFIX_OF_EXPONENT.get(exponent)}`;
}

const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function formatBinary(units: bigint): string {
  let amount = units;
  let power = 0;
  while (power < BINARY_SUFFIX_BY_POWER.length - 1 && amount % 1024n === 0n) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${BINARY_SUFFIX_BY_POWER[power]}`;
}

/** The canonical text of an amount in a format, ignoring any kept original text. */
export function canonicalQuantityString(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  const magnitude = nanos < 0n ? -nanos : nanos;
  // Binary suffixes only for whole amounts of at least 1024; anything else prints in decimal SI.
  const binary = format === 'BinarySI' && magnitude >= 1024n * NANOS_PER_UNIT && nanos % NANOS_PER_UNIT === 0n;
  if (binary) return formatBinary(nanos / NANOS_PER_UNIT);
  return formatDecimal(nanos, format === 'BinarySI' ? 'DecimalSI' : format);
}

/** The text kube prints for a quantity: the parsed text when kube keeps it, else the canonical form (`1.5` → `1500m`, `1024Mi` → `1Gi`). */
export function formatQuantity(quantity: Quantity): string {
  return quantity.original ?? canonicalQuantityString(quantity.nanos, quantity.format);
}

/** -1, 0 or 1 as a is less than, equal to or greater than b (`0.1` equals `100m`). */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** a + b exactly; keeps a's format unless a is zero (then b's), as Quantity.Add does. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos + b.nanos, a.nanos === 0n ? b.format : a.format);
}

/** a - b exactly; keeps a's format unless a is zero (then b's), as Quantity.Sub does. */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos - b.nanos, a.nanos === 0n ? b.format : a.format);
}
