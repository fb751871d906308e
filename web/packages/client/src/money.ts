// Money in integer minor units, never floats: amounts stay bigint from the wire (Int or the
// wallet's Int64 decimal string) to the screen; only the digits are grouped for display.

export type MinorAmount = number | string | bigint;

export interface MoneyLike {
  amountMinor: MinorAmount;
  currency: string;
}

/** toMinor turns a wire amount (a 32-bit Int or an Int64 decimal string) into a bigint. */
export function toMinor(v: MinorAmount): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`amount ${v} is not an integer number of minor units`);
    return BigInt(v);
  }
  if (!/^-?\d+$/.test(v)) throw new RangeError(`amount "${v}" is not an integer number of minor units`);
  return BigInt(v);
}

const digitsCache = new Map<string, number>();

/** minorDigits is the currency's number of minor-unit digits (ISO 4217; PTS points have none). */
export function minorDigits(currency: string): number {
  if (currency === 'PTS') return 0;
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/** formatMoney renders "1 234.50 UZS" style text from minor units with integer arithmetic only. */
export function formatMoney(m: MoneyLike, locale = 'en-US'): string {
  const minor = toMinor(m.amountMinor);
  const digits = minorDigits(m.currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const frac = abs % scale;
  const wholeText = new Intl.NumberFormat(locale, { useGrouping: true }).format(whole);
  const fracText = digits > 0 ? '.' + frac.toString().padStart(digits, '0') : '';
  const unit = m.currency === 'PTS' ? 'pts' : m.currency;
  return `${negative ? '−' : ''}${wholeText}${fracText} ${unit}`;
}

/** parseMoney reads a typed amount ("120", "120.5", "1,200.50") into minor units, or null. */
export function parseMoney(text: string, currency: string): bigint | null {
  const t = text.replace(/[\s,]/g, '');
  const digits = minorDigits(currency);
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  return BigInt(m[1]) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0');
}

/** addMoney sums amounts of one currency; mixing currencies is an error, not a conversion. */
export function addMoney(currency: string, ...amounts: MoneyLike[]): { amountMinor: bigint; currency: string } {
  let sum = 0n;
  for (const a of amounts) {
    if (a.currency !== currency) throw new Error(`cannot add ${a.currency} to ${currency}`);
    sum += toMinor(a.amountMinor);
  }
  return { amountMinor: sum, currency };
}
