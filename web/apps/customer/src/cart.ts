// The cart: pure functions over an immutable value, priced in integer minor units (bigint).
// The server's quote is the truth; these totals are what the screen shows while it loads.
import { toMinor } from '@dizhtime/client';

export interface CartOption {
  id: string;
  name: string;
  groupId: string;
  priceDeltaMinor: number;
}

export interface CartLine {
  key: string;
  menuItemId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  options: CartOption[];
}

export interface Cart {
  restaurantId: string | null;
  restaurantName: string;
  currency: string;
  lines: CartLine[];
}

export const emptyCart: Cart = { restaurantId: null, restaurantName: '', currency: 'UZS', lines: [] };

export const lineKey = (menuItemId: string, optionIds: string[]) => [menuItemId, ...[...optionIds].sort()].join('|');

/** addToCart adds quantity of an item with its chosen options; another restaurant's item starts a new cart. */
export function addToCart(
  cart: Cart,
  restaurant: { id: string; name: string; currency: string },
  item: { id: string; name: string; priceMinor: number },
  options: CartOption[],
  quantity = 1,
): Cart {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError('quantity must be a positive integer');
  const base = cart.restaurantId === restaurant.id ? cart : { ...emptyCart, restaurantId: restaurant.id, restaurantName: restaurant.name, currency: restaurant.currency };
  const key = lineKey(item.id, options.map((o) => o.id));
  const existing = base.lines.find((l) => l.key === key);
  const lines = existing
    ? base.lines.map((l) => (l.key === key ? { ...l, quantity: l.quantity + quantity } : l))
    : [...base.lines, { key, menuItemId: item.id, name: item.name, quantity, unitPriceMinor: item.priceMinor, options }];
  return { ...base, lines };
}

/** setQuantity changes a line's quantity; 0 removes it. */
export function setQuantity(cart: Cart, key: string, quantity: number): Cart {
  if (!Number.isInteger(quantity) || quantity < 0) throw new RangeError('quantity must be a non-negative integer');
  const lines = quantity === 0 ? cart.lines.filter((l) => l.key !== key) : cart.lines.map((l) => (l.key === key ? { ...l, quantity } : l));
  return lines.length ? { ...cart, lines } : emptyCart;
}

/** lineTotal is (unit price + option deltas) x quantity, in minor units. */
export function lineTotal(l: CartLine): bigint {
  const unit = l.options.reduce((s, o) => s + toMinor(o.priceDeltaMinor), toMinor(l.unitPriceMinor));
  return unit * BigInt(l.quantity);
}

export function cartSubtotal(cart: Cart): bigint {
  return cart.lines.reduce((s, l) => s + lineTotal(l), 0n);
}

export function cartCount(cart: Cart): number {
  return cart.lines.reduce((s, l) => s + l.quantity, 0);
}

/** quoteLines is the cart as QuoteInput / PlaceOrderInput lines. */
export function quoteLines(cart: Cart) {
  return cart.lines.map((l) => ({ menuItemId: l.menuItemId, quantity: l.quantity, optionIds: l.options.map((o) => o.id) }));
}

export interface OptionGroupRule {
  id: string;
  name: string;
  minChoices: number;
  maxChoices: number;
}

/** choiceErrors checks chosen option ids against each group's min/max; [] when valid. */
export function choiceErrors(groups: OptionGroupRule[], chosen: Record<string, string[]>): string[] {
  const errors: string[] = [];
  for (const g of groups) {
    const n = chosen[g.id]?.length ?? 0;
    if (n < g.minChoices) errors.push(g.minChoices === 1 ? `Choose a ${g.name}` : `Choose at least ${g.minChoices} of ${g.name}`);
    if (g.maxChoices > 0 && n > g.maxChoices) errors.push(`Choose at most ${g.maxChoices} of ${g.name}`);
  }
  return errors;
}
