// The cart screen with a client that answers the quote from a fixed response: what is under
// test is the component (lines, +/- buttons, the quoted subtotal and its unavailability
// message), not the API (the browser test covers that against the real platform).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Provider, type Client } from 'urql';
import { fromValue, never } from 'wonka';
import { CartPage } from './CartPage';
import { addToCart, emptyCart } from './cart';

vi.mock('./env', () => ({ auth: { current: { user: { id: 'u1' } }, subscribe: () => () => undefined }, connectivity: { state: 'online', subscribe: () => () => undefined }, fallbackPosition: { lat: 41.3, lng: 69.2 } }));
vi.mock('./hooks', async (orig) => ({ ...(await orig<typeof import('./hooks')>()), useSession: () => ({ user: { id: 'u1' } }) }));

afterEach(cleanup);

function clientAnswering(data: Record<string, unknown>): Client {
  return {
    executeQuery: (op: { query: { definitions: { name?: { value: string } }[] } }) => {
      const name = op.query.definitions.find((d) => d.name)?.name?.value ?? '';
      return name in data ? fromValue({ operation: op, data: data[name], stale: false, hasNext: false }) : never;
    },
    executeMutation: () => never,
    executeSubscription: () => never,
  } as unknown as Client;
}

const cart = addToCart(
  emptyCart,
  { id: 'r1', name: 'Pizzeria', currency: 'UZS' },
  { id: 'm1', name: 'Margherita', priceMinor: 65_000 },
  [{ id: 'o1', name: 'Large', groupId: 'size', priceDeltaMinor: 20_000 }],
  2,
);

const wallet = { wallet: { __typename: 'Wallet', userId: 'u1', loyaltyPoints: '0', balances: [{ amountMinor: '1000000', currency: 'UZS' }], transactions: { edges: [] } } };

describe('CartPage', () => {
  it('shows the lines, the quoted subtotal and the balance, and changes quantities', () => {
    const setCart = vi.fn();
    const quote = { quote: { restaurantId: 'r1', currency: 'UZS', available: true, restaurantOpen: true, menuVersion: 1, subtotal: { amountMinor: 170_000, currency: 'UZS' }, lines: [] } };
    render(
      <Provider value={clientAnswering({ CartQuote: quote, MyWallet: wallet })}>
        <CartPage cart={cart} setCart={setCart} />
      </Provider>,
    );
    expect(screen.getByText('1,700.00 UZS', { selector: 'li span' })).toBeTruthy();
    expect(screen.getByTestId('subtotal').textContent).toBe('Subtotal (quoted): 1,700.00 UZS');
    expect(screen.getByTestId('balance').textContent).toBe('Wallet balance: 10,000.00 UZS');
    fireEvent.click(screen.getByRole('button', { name: 'One more Margherita' }));
    expect(setCart.mock.calls[0][0].lines[0].quantity).toBe(3);
    expect((screen.getByRole('button', { name: 'Place order' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says why the quote refuses the cart and does not let it be ordered', () => {
    const quote = { quote: { restaurantId: 'r1', currency: 'UZS', available: false, restaurantOpen: true, menuVersion: 2, subtotal: { amountMinor: 170_000, currency: 'UZS' }, lines: [{ name: 'Margherita', quantity: 2, available: false, unavailableReason: 'sold out', lineTotal: { amountMinor: 170_000, currency: 'UZS' }, options: [] }] } };
    render(
      <Provider value={clientAnswering({ CartQuote: quote, MyWallet: wallet })}>
        <CartPage cart={cart} setCart={() => undefined} />
      </Provider>,
    );
    expect(screen.getByRole('alert').textContent).toBe('Margherita: sold out');
    expect((screen.getByRole('button', { name: 'Place order' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
