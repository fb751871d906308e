import { describe, expect, it } from 'vitest';
import { addMoney, formatMoney, minorDigits, parseMoney, toMinor } from './money';

describe('money in integer minor units', () => {
  it('formats minor units by the currency\'s digits, grouping the whole part', () => {
    expect(formatMoney({ amountMinor: 65_000, currency: 'UZS' })).toBe('650.00 UZS');
    expect(formatMoney({ amountMinor: 123_456_789, currency: 'UZS' })).toBe('1,234,567.89 UZS');
    expect(formatMoney({ amountMinor: 5, currency: 'USD' })).toBe('0.05 USD');
    expect(formatMoney({ amountMinor: 1500, currency: 'JPY' })).toBe('1,500 JPY');
    expect(formatMoney({ amountMinor: -250, currency: 'EUR' })).toBe('−2.50 EUR');
    expect(formatMoney({ amountMinor: 40, currency: 'PTS' })).toBe('40 pts');
  });

  it('keeps Int64 wallet amounts past 2^53 exact (strings, never floats)', () => {
    expect(formatMoney({ amountMinor: '9007199254740993', currency: 'UZS' })).toBe('90,071,992,547,409.93 UZS');
    expect(toMinor('9007199254740993') + 1n).toBe(9007199254740994n);
  });

  it('refuses fractional or unsafe amounts instead of rounding them', () => {
    expect(() => toMinor(1.5)).toThrow(RangeError);
    expect(() => toMinor(2 ** 60)).toThrow(RangeError);
    expect(() => toMinor('12.3')).toThrow(RangeError);
  });

  it('parses what a user types into minor units, refusing too many decimals', () => {
    expect(parseMoney('100', 'UZS')).toBe(10_000n);
    expect(parseMoney('1,200.5', 'UZS')).toBe(120_050n);
    expect(parseMoney('0.1', 'UZS')).toBe(10n); // 0.1 + 0.2 style float error cannot happen
    expect(parseMoney('1.234', 'UZS')).toBeNull();
    expect(parseMoney('abc', 'UZS')).toBeNull();
    expect(parseMoney('12', 'JPY')).toBe(12n);
    expect(minorDigits('JPY')).toBe(0);
  });

  it('adds one currency exactly and refuses to mix currencies', () => {
    expect(addMoney('UZS', { amountMinor: 10, currency: 'UZS' }, { amountMinor: '20', currency: 'UZS' }).amountMinor).toBe(30n);
    expect(() => addMoney('UZS', { amountMinor: 1, currency: 'USD' })).toThrow(/cannot add USD/);
  });
});
