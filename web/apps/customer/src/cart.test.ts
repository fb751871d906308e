import { describe, expect, it } from 'vitest';
import { addToCart, cartCount, cartSubtotal, choiceErrors, emptyCart, lineTotal, quoteLines, setQuantity } from './cart';

const pizzeria = { id: 'r1', name: 'Pizzeria', currency: 'UZS' };
const margherita = { id: 'm1', name: 'Margherita', priceMinor: 65_000 };
const large = { id: 'o-large', name: 'Large', groupId: 'size', priceDeltaMinor: 20_000 };
const olives = { id: 'o-olives', name: 'Olives', groupId: 'extras', priceDeltaMinor: 5_000 };

describe('cart', () => {
  it('merges the same item with the same options and prices options into each unit', () => {
    let c = addToCart(emptyCart, pizzeria, margherita, [large, olives], 2);
    c = addToCart(c, pizzeria, margherita, [olives, large]); // same options, other order
    c = addToCart(c, pizzeria, margherita, []);
    expect(c.lines).toHaveLength(2);
    expect(c.lines[0].quantity).toBe(3);
    expect(lineTotal(c.lines[0])).toBe(3n * 90_000n);
    expect(cartSubtotal(c)).toBe(3n * 90_000n + 65_000n);
    expect(cartCount(c)).toBe(4);
    expect(quoteLines(c)).toEqual([
      { menuItemId: 'm1', quantity: 3, optionIds: ['o-large', 'o-olives'] },
      { menuItemId: 'm1', quantity: 1, optionIds: [] },
    ]);
  });

  it('starts a new cart for another restaurant and empties when the last line goes', () => {
    const c = addToCart(emptyCart, pizzeria, margherita, []);
    const other = addToCart(c, { id: 'r2', name: 'Plov', currency: 'UZS' }, { id: 'p1', name: 'Plov', priceMinor: 40_000 }, []);
    expect(other.restaurantId).toBe('r2');
    expect(other.lines.map((l) => l.name)).toEqual(['Plov']);
    expect(setQuantity(other, other.lines[0].key, 0)).toBe(emptyCart);
    expect(() => setQuantity(other, other.lines[0].key, 1.5)).toThrow(RangeError);
    expect(() => addToCart(c, pizzeria, margherita, [], 0)).toThrow(RangeError);
  });

  it('checks option groups against their min and max', () => {
    const groups = [
      { id: 'size', name: 'size', minChoices: 1, maxChoices: 1 },
      { id: 'extras', name: 'extras', minChoices: 0, maxChoices: 2 },
    ];
    expect(choiceErrors(groups, {})).toEqual(['Choose a size']);
    expect(choiceErrors(groups, { size: ['s'], extras: ['a', 'b', 'c'] })).toEqual(['Choose at most 2 of extras']);
    expect(choiceErrors(groups, { size: ['s'], extras: ['a'] })).toEqual([]);
  });
});
