import { describe, expect, it } from 'vitest';
import { checkGroups, hoursInput, menuWithGroups, parseRanges, rangesText, weekdays, type GroupDraft, type MenuView } from './editing';

describe('opening hours text', () => {
  it('reads ranges, overnight ones and closed days', () => {
    expect(parseRanges('10:00-14:00, 18:00-02:00')).toEqual([{ open: '10:00', close: '14:00' }, { open: '18:00', close: '02:00' }]);
    expect(parseRanges('00:00-24:00')).toEqual([{ open: '00:00', close: '24:00' }]);
    expect(parseRanges('  ')).toEqual([]);
    expect(parseRanges('closed')).toEqual([]);
    expect(rangesText([{ open: '09:00', close: '17:30' }, { open: '19:00', close: '23:00' }])).toBe('09:00-17:30, 19:00-23:00');
  });
  it('names what is wrong', () => {
    expect(parseRanges('9-17')).toMatch(/not HH:MM-HH:MM/);
    expect(parseRanges('25:00-26:00')).toMatch(/25:00 is not a time of day/);
    expect(parseRanges('10:00-10:00')).toMatch(/opens and closes at once/);
    expect(parseRanges('24:00-02:00')).toMatch(/24:00 is not a time of day/);
  });
  it('builds the week, Monday first, or names the first bad day', () => {
    const texts = Object.fromEntries(weekdays.map((d) => [d, '10:00-22:00'])) as Record<(typeof weekdays)[number], string>;
    const h = hoursInput(' Asia/Tashkent ', { ...texts, SUNDAY: '' });
    expect(h).toEqual({ timeZone: 'Asia/Tashkent', days: weekdays.map((day) => ({ day, ranges: day === 'SUNDAY' ? [] : [{ open: '10:00', close: '22:00' }] })) });
    expect(hoursInput('Asia/Tashkent', { ...texts, WEDNESDAY: '10-22' })).toMatch(/^Wednesday: /);
    expect(hoursInput('', texts)).toMatch(/Time zone/);
  });
});

describe('option groups', () => {
  const size: GroupDraft = { id: 'g1', name: 'Size', min: 1, max: 1, options: [{ id: 'o1', name: 'Regular', delta: '0', available: true }, { name: 'Large', delta: '15000', available: true }] };
  it('accepts valid groups and refuses broken rules', () => {
    expect(checkGroups([size], 'UZS')).toBeNull();
    expect(checkGroups([{ ...size, min: 2, max: 1 }], 'UZS')).toMatch(/minimum \(2\) is above the maximum \(1\)/);
    expect(checkGroups([{ ...size, max: 3 }], 'UZS')).toMatch(/maximum \(3\) is above the number of options \(2\)/);
    expect(checkGroups([{ ...size, options: [] }], 'UZS')).toMatch(/at least one option/);
    expect(checkGroups([{ ...size, min: 0.5 }], 'UZS')).toMatch(/whole numbers/);
    expect(checkGroups([{ ...size, options: [{ name: 'X', delta: 'abc', available: true }] }], 'UZS')).toMatch(/not a price/);
    expect(checkGroups([{ ...size, name: ' ' }], 'UZS')).toMatch(/needs a name/);
  });
  it('replaces one item\'s groups in the whole menu, keeping ids and every other field', () => {
    const menu: MenuView = { currency: 'UZS', categories: [{ id: 'c1', name: 'Mains', items: [
      { id: 'i1', name: 'Plov', description: 'd', available: true, tags: ['x'], imageUrl: null, price: { amountMinor: '4500000', currency: 'UZS' }, optionGroups: [] },
      { id: 'i2', name: 'Non', description: '', available: false, tags: [], price: { amountMinor: 500000, currency: 'UZS' },
        optionGroups: [{ id: 'g9', name: 'Seeds', minChoices: 0, maxChoices: 1, options: [{ id: 'o9', name: 'Sesame', available: true, priceDelta: { amountMinor: 0, currency: 'UZS' } }] }] },
    ] }] };
    const m = menuWithGroups(menu, 'i1', [size]);
    const [plov, non] = m.categories[0].items;
    expect(plov).toMatchObject({ id: 'i1', name: 'Plov', price: { amountMinor: 4500000, currency: 'UZS' }, tags: ['x'] });
    expect(plov.optionGroups).toEqual([{ id: 'g1', name: 'Size', minChoices: 1, maxChoices: 1, options: [
      { id: 'o1', name: 'Regular', available: true, priceDelta: { amountMinor: 0, currency: 'UZS' } },
      { name: 'Large', available: true, priceDelta: { amountMinor: 1500000, currency: 'UZS' } }] }]);
    expect(non).toMatchObject({ id: 'i2', available: false, optionGroups: [{ id: 'g9', options: [{ id: 'o9', priceDelta: { amountMinor: 0, currency: 'UZS' } }] }] });
  });
});
