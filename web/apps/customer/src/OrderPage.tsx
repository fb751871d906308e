import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney } from '@dizhtime/client';
import type { MapPoint } from '@dizhtime/map';
import { LazyMap } from './LazyMap';

const OrderQuery = graphql(`
  query LiveOrder($id: ID!) {
    order(id: $id) {
      id status placedAt pointsRedeemed driverId
      total { amountMinor currency }
      subtotal { amountMinor currency }
      deliveryFee { amountMinor currency }
      restaurant { id name location { lat lng } }
      deliveryLocation { lat lng }
      lines { name quantity lineTotal { amountMinor currency } options { id name } }
      timeline { sequence from to at actor reason }
      payment { status settled pointsRedeemed amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } }
    }
  }
`);

const OrderUpdated = graphql(`
  subscription OrderUpdated($id: ID!, $since: Int) {
    orderUpdated(id: $id, since: $since) {
      transition { sequence from to at actor reason }
      order { id status driverId }
    }
  }
`);

const Tracking = graphql(`
  subscription DeliveryTracking($orderId: ID!) {
    deliveryTracking(orderId: $orderId) { orderId driverId deliveryStatus etaSeconds at location { lat lng } }
  }
`);

const CancelOrder = graphql(`
  mutation CancelOrder($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status } }
`);

const steps = ['PLACED', 'PAID', 'ACCEPTED', 'PREPARING', 'READY_FOR_PICKUP', 'PICKED_UP', 'DELIVERED'];
const trackable = new Set(['ACCEPTED', 'PREPARING', 'READY_FOR_PICKUP', 'PICKED_UP']);
const cancellable = new Set(['PLACED', 'PAID']);
const human = (s: string) => s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, ' ');

interface Transition {
  sequence: number;
  from?: string | null;
  to: string;
  at: string;
  actor: string;
  reason?: string | null;
}

export function OrderPage({ id }: { id: string }) {
  const [res] = useQuery({ query: OrderQuery, variables: { id } });
  const [seen, setSeen] = useState<Map<number, Transition>>(new Map());
  // Resume: the subscription starts after the last transition the order query returned;
  // when the socket drops, the client sends it again with since moved to the last
  // transition received (packages/client), so nothing is missed and nothing replayed.
  const [since, setSince] = useState<number | null>(null);
  const order = res.data?.order;
  useEffect(() => {
    if (order && since === null) setSince(Math.max(0, ...order.timeline.map((t) => t.sequence)));
  }, [order, since]);

  useSubscription({ query: OrderUpdated, variables: { id, since: since ?? 0 }, pause: since === null }, (_prev, data) => {
    const t = data.orderUpdated.transition;
    setSeen((m) => (m.has(t.sequence) ? m : new Map(m).set(t.sequence, t)));
    return data;
  });
  const status = order?.status ?? '';
  const [track] = useSubscription({ query: Tracking, variables: { orderId: id }, pause: !trackable.has(status) && status !== 'PICKED_UP' });
  const [cancelling, cancel] = useMutation(CancelOrder);

  const timeline = useMemo(() => {
    const m = new Map<number, Transition>();
    for (const t of order?.timeline ?? []) m.set(t.sequence, t);
    for (const [k, t] of seen) m.set(k, t);
    return [...m.values()].sort((a, b) => a.sequence - b.sequence);
  }, [order, seen]);

  const t = track.data?.deliveryTracking;
  const points = useMemo(() => {
    const ps: MapPoint[] = [];
    if (order) ps.push({ id: 'restaurant', kind: 'restaurant', label: order.restaurant.name, ...order.restaurant.location });
    if (order?.deliveryLocation) ps.push({ id: 'dropoff', kind: 'dropoff', label: 'You', ...order.deliveryLocation });
    if (t?.location) ps.push({ id: 'driver', kind: 'driver', label: 'Courier', lat: t.location.lat, lng: t.location.lng });
    return ps;
  }, [order, t]);

  if (res.error) return <p role="alert" className="error">{res.error.message}</p>;
  if (!order) return <p>{res.fetching ? 'Loading…' : 'No such order.'}</p>;
  const reached = new Set(timeline.map((t) => t.to));
  const current = timeline.length ? timeline[timeline.length - 1].to : order.status;

  return (
    <section aria-labelledby="order-title">
      <h1 id="order-title">Order from {order.restaurant.name}</h1>
      <p aria-live="polite" data-testid="order-status" data-status={current}>
        Status: <strong>{human(current)}</strong>
      </p>
      <ol className="timeline" aria-label="Order progress">
        {steps.map((s) => {
          const tr = timeline.find((x) => x.to === s);
          return (
            <li key={s} className={reached.has(s) ? 'done' : ''} aria-current={current === s ? 'step' : undefined}>
              {human(s)} {tr && <time dateTime={tr.at}>{new Date(tr.at).toLocaleTimeString()}</time>}
            </li>
          );
        })}
        {timeline.filter((x) => !steps.includes(x.to)).map((x) => (
          <li key={x.sequence} className="done bad">
            {human(x.to)} {x.reason && `— ${x.reason}`}
          </li>
        ))}
      </ol>
      {t && trackable.has(current) && (
        <p aria-live="polite" data-testid="eta">
          Courier {human(t.deliveryStatus)} · arriving in about {Math.max(1, Math.round(t.etaSeconds / 60))} min
        </p>
      )}
      {track.error && <p className="muted">Live tracking: {track.error.message}</p>}
      <LazyMap label="Map of the restaurant, your address and the courier" points={points} route />
      <ul aria-label="Items">
        {order.lines.map((l, i) => (
          <li key={i}>
            {l.quantity} × {l.name}
            {l.options.length > 0 && ` (${l.options.map((o) => o.name).join(', ')})`} — {formatMoney(l.lineTotal)}
          </li>
        ))}
      </ul>
      <p>
        Subtotal {formatMoney(order.subtotal)} + delivery {formatMoney(order.deliveryFee)} = <strong>{formatMoney(order.total)}</strong>
        {order.pointsRedeemed > 0 && ` (${order.pointsRedeemed} points redeemed)`}
      </p>
      {order.payment && (
        <p data-testid="payment">
          Payment: {human(order.payment.status)} · {formatMoney(order.payment.amountPaidFromWallet)} from your wallet
          {order.payment.pointsRedeemed !== '0' && ` + ${order.payment.pointsRedeemed} points`}
          {order.payment.refunded.amountMinor !== '0' && ` · ${formatMoney(order.payment.refunded)} refunded`}
        </p>
      )}
      {cancellable.has(current) && (
        <button type="button" disabled={cancelling.fetching} onClick={() => void cancel({ id, reason: 'changed my mind' })}>
          Cancel order
        </button>
      )}
      {cancelling.error && <p role="alert" className="error">{cancelling.error.message}</p>}
    </section>
  );
}
