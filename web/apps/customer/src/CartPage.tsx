import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney } from '@dizhtime/client';
import { cartSubtotal, emptyCart, lineTotal, quoteLines, setQuantity, type Cart } from './cart';
import { go, usePosition } from './hooks';
import { TopUp, balanceOf, useWallet } from './wallet';

const QuoteQuery = graphql(`
  query CartQuote($input: QuoteInput!) {
    quote(input: $input) {
      restaurantId currency available restaurantOpen menuVersion
      subtotal { amountMinor currency }
      lines { name quantity available unavailableReason lineTotal { amountMinor currency } options { id name } }
    }
  }
`);

const PointsPreview = graphql(`
  query PointsPreview($total: WalletMoneyInput!, $points: Int64) {
    redeemPointsPreview(orderTotal: $total, points: $points) {
      points balance
      covered { amountMinor currency }
      remaining { amountMinor currency }
    }
  }
`);

const PlaceOrder = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {
    placeOrder(input: $input, idempotencyKey: $key) { id status total { amountMinor currency } }
  }
`);

export function CartPage({ cart, setCart }: { cart: Cart; setCart: (c: Cart) => void }) {
  const near = usePosition();
  const [quote] = useQuery({
    query: QuoteQuery,
    variables: { input: { restaurantId: cart.restaurantId ?? '', lines: quoteLines(cart) } },
    pause: !cart.restaurantId,
    requestPolicy: 'network-only',
  });
  const [wallet, refetchWallet] = useWallet(5);
  const [usePoints, setUsePoints] = useState(false);
  const [address, setAddress] = useState('');
  const [error, setError] = useState('');
  const [key] = useState(() => crypto.randomUUID());
  const [placing, place] = useMutation(PlaceOrder);
  const q = quote.data?.quote;
  const subtotal = q ? BigInt(q.subtotal.amountMinor) : cartSubtotal(cart);
  const points = wallet.data?.wallet ? BigInt(wallet.data.wallet.loyaltyPoints) : 0n;
  const [preview] = useQuery({
    query: PointsPreview,
    variables: { total: { amountMinor: subtotal.toString(), currency: cart.currency }, points: null },
    pause: !usePoints || points === 0n || subtotal === 0n,
  });
  const balance = balanceOf(wallet.data?.wallet, cart.currency);
  const redeem = usePoints ? BigInt(preview.data?.redeemPointsPreview.points ?? '0') : 0n;
  const toPay = usePoints && preview.data ? BigInt(preview.data.redeemPointsPreview.remaining.amountMinor) : subtotal;

  if (!cart.restaurantId) {
    return (
      <section aria-labelledby="cart-title">
        <h1 id="cart-title">Your cart</h1>
        <p>Your cart is empty. <a href="#/">Find food</a></p>
      </section>
    );
  }

  async function checkout(e: React.FormEvent) {
    e.preventDefault();
    setError('');
    const r = await place({
      key,
      input: {
        restaurantId: cart.restaurantId!,
        lines: quoteLines(cart),
        deliveryAddress: { line1: address, city: 'Tashkent', country: 'UZ' },
        deliveryLocation: near,
        pointsToRedeem: Number(redeem),
      },
    });
    if (r.error) return setError(r.error.graphQLErrors[0]?.message ?? r.error.message);
    setCart(emptyCart);
    go(`orders/${r.data!.placeOrder.id}`);
  }

  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart from {cart.restaurantName}</h1>
      <ul className="cart" aria-label="Cart lines">
        {cart.lines.map((l) => (
          <li key={l.key}>
            <span>
              {l.name}
              {l.options.length > 0 && <small> ({l.options.map((o) => o.name).join(', ')})</small>}
            </span>
            <span className="qty">
              <button type="button" aria-label={`One less ${l.name}`} onClick={() => setCart(setQuantity(cart, l.key, l.quantity - 1))}>−</button>
              <span aria-label="quantity">{l.quantity}</span>
              <button type="button" aria-label={`One more ${l.name}`} onClick={() => setCart(setQuantity(cart, l.key, l.quantity + 1))}>+</button>
            </span>
            <span>{formatMoney({ amountMinor: lineTotal(l), currency: cart.currency })}</span>
          </li>
        ))}
      </ul>
      {quote.error && <p role="alert" className="error">{quote.error.message}</p>}
      {q && !q.available && (
        <p role="alert" className="error">
          {!q.restaurantOpen ? 'The restaurant is closed now.' : q.lines.filter((l) => !l.available).map((l) => `${l.name}: ${l.unavailableReason ?? 'unavailable'}`).join('; ')}
        </p>
      )}
      <p data-testid="subtotal">
        Subtotal {q ? '(quoted)' : '(checking…)'}: <strong>{formatMoney({ amountMinor: subtotal, currency: cart.currency })}</strong>
      </p>
      <section aria-labelledby="pay-title" className="card">
        <h2 id="pay-title">Payment</h2>
        <p data-testid="balance">Wallet balance: {formatMoney({ amountMinor: balance, currency: cart.currency })}</p>
        <label className="inline">
          <input type="checkbox" checked={usePoints} disabled={points === 0n} onChange={(e) => setUsePoints(e.target.checked)} />
          Use my loyalty points ({points.toString()} pts)
        </label>
        {usePoints && preview.data && (
          <p>
            {preview.data.redeemPointsPreview.points} pts cover {formatMoney(preview.data.redeemPointsPreview.covered)}
          </p>
        )}
        <p>From the wallet: {formatMoney({ amountMinor: toPay, currency: cart.currency })} + delivery fee</p>
        {balance < toPay && <p className="error">Your balance is short: top up first.</p>}
        <TopUp currency={cart.currency} onCredited={() => refetchWallet({ requestPolicy: 'network-only' })} />
      </section>
      <form onSubmit={checkout} aria-label="Checkout">
        <label>
          Delivery address
          <input name="address" autoComplete="street-address" required value={address} onChange={(e) => setAddress(e.target.value)} />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" disabled={placing.fetching || !q?.available}>
          Place order
        </button>
      </form>
    </section>
  );
}
