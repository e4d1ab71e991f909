/** IntOrString values such as maxSurge `25%` or minAvailable `2`, scaled against a total. */

/** `value` as a count of `total`: an integer as is, a percentage rounded up or down. Throws on anything else. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback = 0): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (m) {
    const exact = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (/^\d+$/.test(value)) return Number(value);
  throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: "${value}"`);
}

/** True when `value` is a percentage. */
export function isPercent(value: unknown): boolean {
  return typeof value === 'string' && value.endsWith('%');
}
