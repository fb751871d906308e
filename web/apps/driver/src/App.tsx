// The courier's app, phone layout: sign in, go online, hear offers (with the time left to
// answer), take the delivery through its steps with the map and ETA. Everything it shows
// is read back from dispatch (Driver.currentOffer, Driver.currentDelivery), so a reload
// or a dropped connection finds the same work again.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney } from '@dizhtime/client';
import { auth, ConnectivityBanner, errorText, PointsMap, SignIn, useCountdown, useSession } from '@dizhtime/ops';
import { nextStep, stepLabels, moveToward, distanceMeters, type Pt } from './route';

const CourierQuery = graphql(`
  query CourierHome {
    me {
      id name roles
      driver {
        id status vehicle
        lastLocation { lat lng }
        currentOffer { orderId expiresAt pickup { lat lng } dropoff { lat lng } }
        currentDelivery { ...CourierDelivery }
      }
    }
  }
`);

const CourierDeliveryFields = graphql(`
  fragment CourierDelivery on Delivery {
    id status pickupEta dropoffEta
    order { id }
    pickup { lat lng }
    dropoff { lat lng }
    timeline { from to at actor }
  }
`);
void CourierDeliveryFields;

const CourierEarningsAndHistory = graphql(`
  query CourierEarningsAndHistory($id: ID!, $since: String!) {
    wallet(userId: $id) { courierEarnings(since: $since) { amount { amountMinor currency } orders } }
    driver(id: $id) { id deliveries(first: 10) { id status order { id } timeline { to at } } }
  }
`);
const CourierGoOnline = graphql(`
  mutation CourierGoOnline($l: LocationInput!, $v: Vehicle) { goOnline(location: $l, vehicle: $v) { id status } }
`);
const CourierGoOffline = graphql(`
  mutation CourierGoOffline { goOffline { id status } }
`);
const CourierPing = graphql(`
  mutation CourierPing($l: LocationInput!) { updateLocation(location: $l) { id status lastLocation { lat lng } } }
`);
const CourierAccept = graphql(`
  mutation CourierAccept($o: ID!) { acceptOffer(orderId: $o) { ...CourierDelivery } }
`);
const CourierDecline = graphql(`
  mutation CourierDecline($o: ID!) { declineOffer(orderId: $o) }
`);
const CourierOffers = graphql(`
  subscription CourierOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }
`);
const steps = {
  markEnrouteToPickup: graphql(`mutation CourierEnrouteToPickup($d: ID!) { markEnrouteToPickup(deliveryId: $d) { ...CourierDelivery } }`),
  markArrivedAtPickup: graphql(`mutation CourierArrivedAtPickup($d: ID!) { markArrivedAtPickup(deliveryId: $d) { ...CourierDelivery } }`),
  markPickedUp: graphql(`mutation CourierPickedUp($d: ID!) { markPickedUp(deliveryId: $d) { ...CourierDelivery } }`),
  markEnrouteToDropoff: graphql(`mutation CourierEnrouteToDropoff($d: ID!) { markEnrouteToDropoff(deliveryId: $d) { ...CourierDelivery } }`),
  markArrivedAtDropoff: graphql(`mutation CourierArrivedAtDropoff($d: ID!) { markArrivedAtDropoff(deliveryId: $d) { ...CourierDelivery } }`),
  markDelivered: graphql(`mutation CourierDelivered($d: ID!) { markDelivered(deliveryId: $d) { ...CourierDelivery } }`),
};

interface Offer {
  orderId: string;
  expiresAt: string;
  pickup?: Pt | null;
  dropoff?: Pt | null;
}

/** startPosition: ?lat=&lng= (a simulated start), else the browser's position, else Tashkent. */
function useStartPosition(): Pt {
  const q = new URLSearchParams(location.search);
  const fixed = q.get('lat') && q.get('lng') ? { lat: Number(q.get('lat')), lng: Number(q.get('lng')) } : null;
  const [p, setP] = useState<Pt>(fixed ?? { lat: 41.3111, lng: 69.2797 });
  useEffect(() => {
    if (fixed) return;
    navigator.geolocation?.getCurrentPosition(
      (pos) => setP({ lat: pos.coords.latitude, lng: pos.coords.longitude }),
      () => undefined,
      { timeout: 5000 },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return p;
}

function etaText(at: string | null | undefined): string {
  if (!at) return '—';
  const min = Math.round((Date.parse(at) - Date.now()) / 60_000);
  const clock = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return min <= 0 ? `${clock} (due)` : `${clock} (in ${min} min)`;
}

export function App() {
  const session = useSession();
  return (
    <>
      <header className="bar">
        <span className="brand">DizhTime Courier</span>
        {session && (
          <button type="button" className="link" onClick={() => void auth.logout()}>
            Sign out
          </button>
        )}
      </header>
      {session && <ConnectivityBanner />}
      <main>{session ? <Home /> : <SignIn title="Courier sign in" />}</main>
    </>
  );
}

function Home() {
  const client = useClient();
  const [{ data, error, fetching }, refetch] = useQuery({ query: CourierQuery, requestPolicy: 'network-only' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const start = useStartPosition();
  const [pos, setPos] = useState<Pt | null>(null);
  const [live, setLive] = useState<Offer | null>(null);
  const [err, setErr] = useState('');
  const [, goOnline] = useMutation(CourierGoOnline);
  const [, goOffline] = useMutation(CourierGoOffline);
  const [, accept] = useMutation(CourierAccept);
  const [, decline] = useMutation(CourierDecline);

  const driver = data?.me?.driver ?? null;
  const status = driver?.status ?? 'OFFLINE';
  const online = status !== 'OFFLINE';
  const delivery = driver?.currentDelivery ?? null;
  const here = pos ?? (driver?.lastLocation ? { lat: driver.lastLocation.lat, lng: driver.lastLocation.lng } : start);

  // Offers while online: the subscription replays the one held, and new ones arrive live.
  const [offerSub] = useSubscription({ query: CourierOffers, pause: !online || !!delivery });
  useEffect(() => {
    if (offerSub.data?.driverOffers) setLive(offerSub.data.driverOffers);
  }, [offerSub.data]);
  const offer: Offer | null = delivery ? null : (live ?? driver?.currentOffer ?? null);
  const left = useCountdown(offer?.expiresAt);
  const offerLive = !!offer && left > 0;

  // The simulated route: every 2 s the courier moves toward the next stop and pings.
  const target = delivery ? (['PICKED_UP', 'ENROUTE_TO_DROPOFF', 'ARRIVED_AT_DROPOFF'].includes(delivery.status) ? delivery.dropoff : delivery.pickup) : null;
  const posRef = useRef(here);
  posRef.current = here;
  useEffect(() => {
    if (!online) return;
    const t = setInterval(() => {
      const next = target ? moveToward(posRef.current, target, 120) : posRef.current;
      setPos(next);
      void client.mutation(CourierPing, { l: { lat: next.lat, lng: next.lng } }).toPromise();
    }, 2000);
    return () => clearInterval(t);
  }, [online, target?.lat, target?.lng, client]); // eslint-disable-line react-hooks/exhaustive-deps

  if (fetching && !data) return <p>Loading…</p>;
  if (error && !data) return <p role="alert" className="error">{errorText(error)}</p>;
  if (!data?.me?.roles.includes('DRIVER')) {
    return <p role="alert" className="error">This account is not a courier: ask an admin for the DRIVER role.</p>;
  }

  async function toggle() {
    setErr('');
    const r = online ? await goOffline({}) : await goOnline({ l: { lat: here.lat, lng: here.lng }, v: 'SCOOTER' });
    if (r.error) setErr(errorText(r.error));
    reload();
  }
  async function answer(yes: boolean) {
    if (!offer) return;
    setErr('');
    const r = yes ? await accept({ o: offer.orderId }) : await decline({ o: offer.orderId });
    if (r.error) setErr(errorText(r.error));
    setLive(null);
    reload();
  }

  return (
    <>
      <section aria-labelledby="status-title" className="card">
        <h1 id="status-title">Hello, {data.me.name}</h1>
        <p data-testid="courier-status">
          You are <strong>{status === 'OFFLINE' ? 'offline' : status === 'AVAILABLE' ? 'online, waiting for offers' : status === 'OFFERED' ? 'holding an offer' : 'on a delivery'}</strong>.
        </p>
        {!delivery && (
          <button type="button" className={`big ${online ? 'secondary' : ''}`} onClick={() => void toggle()} disabled={status === 'OFFERED'}>
            {online ? 'Go offline' : 'Go online'}
          </button>
        )}
        <p className="muted">
          Position {here.lat.toFixed(5)}, {here.lng.toFixed(5)} ({pos ? 'simulated route' : driver?.lastLocation ? 'last known' : 'start'})
        </p>
        {err && <p role="alert" className="error">{err}</p>}
      </section>

      {offerLive && offer && (
        <section aria-labelledby="offer-title" className="card" data-testid="offer">
          <h2 id="offer-title">New delivery offer</h2>
          <p>
            Answer within <span className="countdown" aria-live="polite" data-testid="offer-countdown">{left}s</span>
          </p>
          {offer.pickup && (
            <p>
              Pickup {Math.round(distanceMeters(here, offer.pickup))} m away
              {offer.dropoff && <>, then {Math.round(distanceMeters(offer.pickup, offer.dropoff))} m to the customer</>}.
            </p>
          )}
          <PointsMap
            label="Offer: you, the pickup and the drop-off"
            marks={[
              { key: 'me', kind: 'driver', label: 'You', ...here },
              ...(offer.pickup ? [{ key: 'p', kind: 'pickup', label: 'Pickup', ...offer.pickup }] : []),
              ...(offer.dropoff ? [{ key: 'd', kind: 'dropoff', label: 'Drop-off', ...offer.dropoff }] : []),
            ]}
            route={offer.pickup && offer.dropoff ? [[here, offer.pickup], [offer.pickup, offer.dropoff]] : undefined}
          />
          <div className="row">
            <button type="button" className="big" onClick={() => void answer(true)}>
              Accept offer
            </button>
            <button type="button" className="big secondary" onClick={() => void answer(false)}>
              Decline
            </button>
          </div>
        </section>
      )}

      {delivery && <DeliveryCard delivery={delivery} here={here} onChange={reload} />}
      {online && !delivery && !offerLive && <p className="muted">No offer right now: stay online and one will come.</p>}
      <EarningsAndHistory driverId={data.me.id} refreshKey={`${status}-${delivery?.status ?? ''}`} />
    </>
  );
}

type DeliveryView = NonNullable<NonNullable<NonNullable<import('@dizhtime/client/gql/graphql').CourierHomeQuery['me']>['driver']>['currentDelivery']>;

function DeliveryCard({ delivery, here, onChange }: { delivery: DeliveryView; here: Pt; onChange: () => void }) {
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const client = useClient();
  const step = nextStep(delivery.status);
  const toDropoff = ['PICKED_UP', 'ENROUTE_TO_DROPOFF', 'ARRIVED_AT_DROPOFF'].includes(delivery.status);
  async function advance() {
    if (!step) return;
    setBusy(true);
    setErr('');
    const r = await client.mutation(steps[step.mutation], { d: delivery.id }).toPromise();
    setBusy(false);
    if (r.error) setErr(errorText(r.error));
    onChange();
  }
  const order = ['CONFIRMED', 'ENROUTE_TO_PICKUP', 'ARRIVED_AT_PICKUP', 'PICKED_UP', 'ENROUTE_TO_DROPOFF', 'ARRIVED_AT_DROPOFF', 'DELIVERED'];
  const at = order.indexOf(delivery.status);
  return (
    <section aria-labelledby="delivery-title" className="card" data-testid="delivery">
      <h2 id="delivery-title">Current delivery</h2>
      <p>
        Order <code>{delivery.order.id.slice(0, 8)}</code>: <strong data-testid="delivery-status">{stepLabels[delivery.status] ?? delivery.status}</strong>
      </p>
      <dl className="kv">
        <dt>Next stop</dt>
        <dd>{toDropoff ? 'the customer' : 'the restaurant'} ({Math.round(distanceMeters(here, toDropoff ? delivery.dropoff : delivery.pickup))} m)</dd>
        <dt>ETA at pickup</dt>
        <dd data-testid="eta-pickup">{etaText(delivery.pickupEta)}</dd>
        <dt>ETA at drop-off</dt>
        <dd data-testid="eta-dropoff">{etaText(delivery.dropoffEta)}</dd>
      </dl>
      <PointsMap
        label="Delivery route: you, the restaurant and the customer"
        marks={[
          { key: 'me', kind: 'driver', label: 'You', ...here },
          { key: 'p', kind: 'pickup', label: 'Restaurant', ...delivery.pickup },
          { key: 'd', kind: 'dropoff', label: 'Customer', ...delivery.dropoff },
        ]}
        route={[[here, toDropoff ? delivery.dropoff : delivery.pickup], ...(toDropoff ? [] : [[delivery.pickup, delivery.dropoff] as [Pt, Pt]])]}
      />
      <ol className="steps" aria-label="Delivery steps">
        {order.slice(1).map((s, i) => (
          <li key={s} className={i + 1 <= at ? 'done' : ''} aria-current={i + 1 === at ? 'step' : undefined}>
            {stepLabels[s]}
          </li>
        ))}
      </ol>
      {step && (
        <button type="button" className="big" onClick={() => void advance()} disabled={busy}>
          {step.label}
        </button>
      )}
      {err && <p role="alert" className="error">{err}</p>}
    </section>
  );
}

/** startOfToday: local midnight as RFC 3339 (the courier's "today"). */
function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** EarningsAndHistory: today's earnings from the wallet and the last deliveries from dispatch, re-read after every step. */
function EarningsAndHistory({ driverId, refreshKey }: { driverId: string; refreshKey: string }) {
  const since = useMemo(startOfToday, []);
  const [{ data, error }, refetch] = useQuery({ query: CourierEarningsAndHistory, variables: { id: driverId, since }, requestPolicy: 'network-only' });
  // Re-read after every step, and every 10 s: the wallet credits the share a moment
  // after the delivery, when the order's DELIVERED event reaches it.
  useEffect(() => {
    refetch({ requestPolicy: 'network-only' });
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 10_000);
    return () => clearInterval(t);
  }, [refreshKey, refetch]);
  const earned = data?.wallet?.courierEarnings ?? [];
  const past = (data?.driver?.deliveries ?? []).filter((d) => ['DELIVERED', 'CANCELLED'].includes(d.status));
  return (
    <>
      <section aria-labelledby="earnings-title" className="card">
        <h2 id="earnings-title">Earnings today</h2>
        {error && <p role="alert" className="error">{errorText(error)}</p>}
        <p data-testid="earnings-today">
          {earned.length === 0
            ? 'Nothing yet today.'
            : earned.map((e) => `${formatMoney(e.amount)} from ${e.orders} ${e.orders === 1 ? 'order' : 'orders'}`).join(' · ')}
        </p>
        <p className="muted">Your share is credited when the customer has the order.</p>
      </section>
      <section aria-labelledby="history-title" className="card">
        <h2 id="history-title">Recent deliveries</h2>
        {past.length === 0 ? (
          <p className="muted">No finished deliveries yet.</p>
        ) : (
          <ul data-testid="delivery-history">
            {past.map((d) => {
              const end = d.timeline.at(-1);
              return (
                <li key={d.id}>
                  <code>{d.order.id.slice(0, 8)}</code> {stepLabels[d.status] ?? d.status}
                  {end ? ` · ${new Date(end.at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}` : ''}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </>
  );
}
