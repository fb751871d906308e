// Pure helpers of the dashboard's hours and option editors: parsing what the owner types
// and building the inputs the API takes (setOpeningHours, updateMenu). The server checks
// everything again; these catch typing mistakes before a round trip.
import { formatMoney, parseMoney } from '@dizhtime/client';

export const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof weekdays)[number];
export interface Range { open: string; close: string }

/** rangesText shows a day's ranges as the editor's text: "10:00-14:00, 18:00-02:00". */
export function rangesText(ranges: readonly Range[]): string {
  return ranges.map((r) => `${r.open}-${r.close}`).join(', ');
}

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;

/** parseRanges reads a day's text ("" is closed); it returns the ranges or an error message. */
export function parseRanges(text: string): Range[] | string {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'closed') return [];
  const out: Range[] = [];
  for (const part of t.split(',')) {
    const m = part.trim().match(/^(\d\d:\d\d)\s*[-–]\s*(\d\d:\d\d)$/);
    if (!m) return `"${part.trim()}" is not HH:MM-HH:MM`;
    const [, open, close] = m;
    if (!clock.test(open)) return `${open} is not a time of day`;
    if (!clock.test(close) && close !== '24:00') return `${close} is not a time of day`;
    if (open === close) return `${open}-${close} opens and closes at once`;
    out.push({ open, close });
  }
  return out;
}

/** hoursInput builds setOpeningHours' input from the editor's texts, or names the first bad day. */
export function hoursInput(timeZone: string, texts: Record<Weekday, string>):
  { timeZone: string; days: { day: Weekday; ranges: Range[] }[] } | string {
  if (timeZone.trim() === '') return 'Time zone: required (an IANA zone such as Asia/Tashkent)';
  const days = [];
  for (const day of weekdays) {
    const r = parseRanges(texts[day] ?? '');
    if (typeof r === 'string') return `${day[0]}${day.slice(1).toLowerCase()}: ${r}`;
    days.push({ day, ranges: r });
  }
  return { timeZone: timeZone.trim(), days };
}

export interface Money { amountMinor: number | string; currency: string }
export interface OptionDraft { id?: string; name: string; delta: string; available: boolean }
export interface GroupDraft { id?: string; name: string; min: number; max: number; options: OptionDraft[] }

/** majorText is an amount as the editor shows it: "15000.50" (no grouping, no currency). */
export function majorText(m: Money): string {
  return formatMoney(m).replace(/\s*[A-Z]{3}$/, '').replace(/,/g, '');
}

/** checkGroups applies the menu's rules to the drafts of one item's option groups. */
export function checkGroups(groups: readonly GroupDraft[], currency: string): string | null {
  for (const g of groups) {
    const label = g.name.trim() || 'A group';
    if (g.name.trim() === '') return 'Every option group needs a name';
    if (!Number.isInteger(g.min) || !Number.isInteger(g.max)) return `${label}: minimum and maximum are whole numbers`;
    if (g.options.length === 0) return `${label}: add at least one option`;
    if (g.min < 0) return `${label}: the minimum cannot be negative`;
    if (g.max < 1) return `${label}: the maximum is at least 1`;
    if (g.min > g.max) return `${label}: the minimum (${g.min}) is above the maximum (${g.max})`;
    if (g.max > g.options.length) return `${label}: the maximum (${g.max}) is above the number of options (${g.options.length})`;
    for (const o of g.options) {
      if (o.name.trim() === '') return `${label}: every option needs a name`;
      const minor = parseMoney(o.delta, currency);
      if (minor === null || minor < 0n) return `${label} / ${o.name}: "${o.delta}" is not a price in ${currency}`;
    }
  }
  return null;
}

interface MenuItemView {
  id: string; name: string; description: string; available: boolean; tags: string[]; imageUrl?: string | null;
  price: Money;
  optionGroups: { id: string; name: string; minChoices: number; maxChoices: number; options: { id: string; name: string; available: boolean; priceDelta: Money }[] }[];
}
export interface MenuView { currency: string; categories: { id: string; name: string; items: MenuItemView[] }[] }

/** groupsOf turns an item's groups into editable drafts. */
export function groupsOf(item: MenuItemView): GroupDraft[] {
  return item.optionGroups.map((g) => ({
    id: g.id, name: g.name, min: g.minChoices, max: g.maxChoices,
    options: g.options.map((o) => ({ id: o.id, name: o.name, delta: majorText(o.priceDelta), available: o.available })),
  }));
}

/** menuWithGroups is the whole menu as updateMenu's input, ids kept, with itemId's option groups replaced. */
export function menuWithGroups(menu: MenuView, itemId: string, groups: readonly GroupDraft[]) {
  const money = (m: Money) => ({ amountMinor: Number(m.amountMinor), currency: m.currency });
  return {
    categories: menu.categories.map((c) => ({
      id: c.id, name: c.name,
      items: c.items.map((it) => ({
        id: it.id, name: it.name, description: it.description, price: money(it.price), available: it.available,
        tags: it.tags, imageUrl: it.imageUrl ?? null,
        optionGroups: it.id !== itemId
          ? it.optionGroups.map((g) => ({
            id: g.id, name: g.name, minChoices: g.minChoices, maxChoices: g.maxChoices,
            options: g.options.map((o) => ({ id: o.id, name: o.name, priceDelta: money(o.priceDelta), available: o.available })),
          }))
          : groups.map((g) => ({
            ...(g.id ? { id: g.id } : {}), name: g.name.trim(), minChoices: g.min, maxChoices: g.max,
            options: g.options.map((o) => ({
              ...(o.id ? { id: o.id } : {}), name: o.name.trim(), available: o.available,
              priceDelta: { amountMinor: Number(parseMoney(o.delta, menu.currency) ?? 0n), currency: menu.currency },
            })),
          })),
      })),
    })),
  };
}
