// The operations portal: a live map of couriers (driversInArea, batched: pings are
// folded in memory and drawn once a second), orders watched live per restaurant and
// looked up with their full timeline and payment, refunds through the wallet, users and
// roles, and the router's readiness with each check.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney, parseMoney } from '@dizhtime/client';
import { auth, ConnectivityBanner, errorText, PointsMap, routerBase, SignIn, useSession } from '@dizhtime/ops';
import { UsersPage } from './UsersPage';
import { DeadLetters } from './DeadLetters';

const AdminDrivers = graphql(`
  subscription AdminDrivers($box: BBoxInput!) { driversInArea(bbox: $box) { driverId status at location { lat lng } } }
`);
const AdminRestaurantOrders = graphql(`
  subscription AdminRestaurantOrders($r: ID!) {
    restaurantOrders(restaurantId: $r) {
      transition { sequence to at actor reason }
      order { id status placedAt driverId total { amountMinor currency } deliveryLocation { lat lng } restaurant { id name location { lat lng } } }
    }
  }
`);
const AdminOrder = graphql(`
  query AdminOrder($id: ID!) {
    order(id: $id) {
      id status placedAt acceptBy driverId
      customer { id name }
      restaurant { id name }
      total { amountMinor currency }
      timeline { sequence from to at actor reason }
      delivery { id status driver { id } timeline { from to at actor } }
      payment { status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } refunds { amount { amountMinor currency } reason } }
    }
  }
`);
const AdminRefund = graphql(`
  mutation AdminRefund($o: ID!, $amount: WalletMoneyInput, $reason: String!, $key: String!) {
    refundOrder(orderId: $o, amount: $amount, reason: $reason, idempotencyKey: $key) { transactionId replayed payment { status refunded { amountMinor currency } } }
  }
`);
const AdminUser = graphql(`
  query AdminUser($id: ID!) { user(id: $id) { id name email roles disabled createdAt wallet { balances { amountMinor currency } loyaltyPoints } } }
`);
const AdminAssignRole = graphql(`mutation AdminAssignRole($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }`);
const AdminRevokeRole = graphql(`mutation AdminRevokeRole($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }`);
const AdminAudit = graphql(`
  query AdminAudit { walletAuditVerification { intact accounts rows problems checkedAt } }
`);
const roles = ['CUSTOMER', 'DRIVER', 'RESTAURANT_STAFF', 'RESTAURANT_OWNER', 'ADMIN'] as const;

function useHashRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [r, setR] = useState(read);
  useEffect(() => {
    const on = () => setR(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

export function App() {
  const session = useSession();
  const route = useHashRoute();
  const tab = route[0] ?? 'live';
  let page;
  if (!session) page = <SignIn title="Admin sign in" />;
  else if (!session.user.roles.includes('ADMIN')) page = <p role="alert" className="error">This account is not an admin.</p>;
  else if (tab === 'orders') page = <OrderLookup id={route[1]} />;
  else if (tab === 'users') page = <UsersPage id={route[1]}><Users id={route[1]} /></UsersPage>;
  else if (tab === 'health') page = <Health />;
  else if (tab === 'audit') page = <WalletAudit />;
  else if (tab === 'dead-letters') page = <DeadLetters topic={route[1] ? decodeURIComponent(route[1]) : undefined} />;
  else page = <Live />;
  return (
    <>
      <header className="bar">
        <span className="brand">DizhTime Admin</span>
        {session && (
          <nav aria-label="Sections" className="tabs">
            {[['live', 'Live'], ['orders', 'Orders'], ['users', 'Users'], ['audit', 'Wallet audit'], ['dead-letters', 'Dead letters'], ['health', 'Health']].map(([k, label]) => (
              <a key={k} href={`#/${k}`} aria-current={tab === k ? 'page' : undefined}>{label}</a>
            ))}
            <button type="button" className="link" onClick={() => void auth.logout()}>Sign out</button>
          </nav>
        )}
      </header>
      {session && <ConnectivityBanner />}
      <main>{page}</main>
    </>
  );
}

type Pos = { driverId: string; status: string; at: string; location: { lat: number; lng: number } };
type OrderRow = NonNullable<import('@dizhtime/client/gql/graphql').AdminRestaurantOrdersSubscription['restaurantOrders']>['order'];

/** The area the map watches: ?lat=&lng= (the test's city) or Tashkent, ±0.1°. */
function initialBox() {
  const q = new URLSearchParams(location.search);
  const lat = Number(q.get('lat') ?? 41.3111);
  const lng = Number(q.get('lng') ?? 69.2797);
  return { minLat: lat - 0.1, minLng: lng - 0.1, maxLat: lat + 0.1, maxLng: lng + 0.1 };
}

function Live() {
  const box = useMemo(initialBox, []);
  // Pings land in a ref; the screen redraws from it once a second, however many arrive.
  const latest = useRef(new Map<string, Pos>());
  const [drivers, setDrivers] = useState<Pos[]>([]);
  const [pings, setPings] = useState(0);
  const count = useRef(0);
  const [sub] = useSubscription({ query: AdminDrivers, variables: { box } }, (_prev: unknown, next) => {
    latest.current.set(next.driversInArea.driverId, next.driversInArea);
    count.current++;
    return null;
  });
  useEffect(() => {
    const t = setInterval(() => {
      setDrivers([...latest.current.values()]);
      setPings(count.current);
    }, 1000);
    return () => clearInterval(t);
  }, []);
  const [watch, setWatch] = useState(new URLSearchParams(location.search).get('restaurant') ?? '');
  const [watching, setWatching] = useState(watch);
  const [ordersSub] = useSubscription({ query: AdminRestaurantOrders, variables: { r: watching }, pause: !watching }, (prev: Record<string, OrderRow> | undefined, next) => ({
    ...(prev ?? {}),
    [next.restaurantOrders.order.id]: next.restaurantOrders.order,
  }));
  const orders = Object.values((ordersSub.data as unknown as Record<string, OrderRow> | undefined) ?? {}).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
  const openOrders = orders.filter((o) => !['DELIVERED', 'CANCELLED', 'REJECTED', 'PAYMENT_FAILED', 'DELIVERY_FAILED'].includes(o.status));
  return (
    <>
      <h1>Live operations</h1>
      {sub.error && <p role="alert" className="error">Drivers: {errorText(sub.error)}</p>}
      <div className="columns">
        <section aria-labelledby="map-title" className="card">
          <h2 id="map-title">Couriers and open orders</h2>
          <p className="muted" data-testid="map-summary">
            {drivers.length} couriers in view · {openOrders.length} open orders · {pings} pings received
          </p>
          <PointsMap
            label={`Live map: ${drivers.length} couriers and ${openOrders.length} open orders`}
            marks={[
              ...drivers.map((d) => ({ key: 'd' + d.driverId, kind: d.status, label: d.driverId.slice(0, 6), ...d.location })),
              ...openOrders.map((o) => ({ key: 'o' + o.id, kind: 'order', label: o.id.slice(0, 6), ...o.deliveryLocation })),
            ]}
          />
          <table data-testid="drivers">
            <caption className="muted">Couriers</caption>
            <thead><tr><th scope="col">Courier</th><th scope="col">Status</th><th scope="col">Last ping</th></tr></thead>
            <tbody>
              {drivers.map((d) => (
                <tr key={d.driverId}><td><code>{d.driverId}</code></td><td>{d.status}</td><td>{new Date(d.at).toLocaleTimeString()}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="orders-title" className="card">
          <h2 id="orders-title">Orders of a restaurant, live</h2>
          <form className="row" onSubmit={(e) => { e.preventDefault(); setWatching(watch); }}>
            <label>
              Restaurant id
              <input value={watch} onChange={(e) => setWatch(e.target.value)} />
            </label>
            <button type="submit">Watch</button>
          </form>
          {ordersSub.error && <p role="alert" className="error">{errorText(ordersSub.error)}</p>}
          <table data-testid="live-orders">
            <thead><tr><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Total</th><th scope="col">Courier</th></tr></thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id} data-order={o.id}>
                  <td><a href={`#/orders/${o.id}`}>{o.id.slice(0, 8)}</a></td>
                  <td data-testid="live-order-status">{o.status}</td>
                  <td>{formatMoney(o.total)}</td>
                  <td>{o.driverId ? <code>{o.driverId.slice(0, 8)}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}

function OrderLookup({ id }: { id?: string }) {
  const [text, setText] = useState(id ?? '');
  const [{ data, error, fetching }, refetch] = useQuery({ query: AdminOrder, variables: { id: id ?? '' }, pause: !id, requestPolicy: 'network-only' });
  const o = data?.order;
  return (
    <>
      <h1>Orders</h1>
      <form className="row card" onSubmit={(e) => { e.preventDefault(); location.hash = `#/orders/${text.trim()}`; }}>
        <label>
          Order id
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">Find order</button>
      </form>
      {fetching && <p>Loading…</p>}
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      {id && data && !o && <p role="alert">No order {id}.</p>}
      {o && (
        <div className="columns">
          <section aria-labelledby="order-title" className="card">
            <h2 id="order-title">Order {o.id.slice(0, 8)}: <span data-testid="order-status">{o.status}</span></h2>
            <dl className="kv">
              <dt>Customer</dt><dd><a href={`#/users/${o.customer.id}`}>{o.customer.name}</a></dd>
              <dt>Restaurant</dt><dd>{o.restaurant.name}</dd>
              <dt>Total</dt><dd>{formatMoney(o.total)}</dd>
              <dt>Placed</dt><dd>{new Date(o.placedAt).toLocaleString()}</dd>
              <dt>Courier</dt><dd>{o.driverId ?? '—'}</dd>
            </dl>
            <h3>Timeline</h3>
            <ol className="timeline" data-testid="order-timeline">
              {o.timeline.map((t) => (
                <li key={t.sequence} className="done">
                  {t.to} · {new Date(t.at).toLocaleTimeString()} · {t.actor}{t.reason ? ` · ${t.reason}` : ''}
                </li>
              ))}
              {o.delivery?.timeline.map((t, i) => (
                <li key={'d' + i}>delivery {t.to} · {new Date(t.at).toLocaleTimeString()} · {t.actor}</li>
              ))}
            </ol>
          </section>
          <Refund order={o} onDone={() => refetch({ requestPolicy: 'network-only' })} />
        </div>
      )}
    </>
  );
}

type AdminOrderView = NonNullable<import('@dizhtime/client/gql/graphql').AdminOrderQuery['order']>;

function Refund({ order, onDone }: { order: AdminOrderView; onDone: () => void }) {
  const p = order.payment;
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState('');
  const [key] = useState(() => crypto.randomUUID());
  const [, refund] = useMutation(AdminRefund);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setMsg('');
    let money = null;
    if (amount.trim()) {
      const minor = parseMoney(amount, p!.amountPaid.currency);
      if (minor === null) return setMsg(`Not an amount: ${amount}`);
      money = { amountMinor: minor.toString(), currency: p!.amountPaid.currency };
    }
    const r = await refund({ o: order.id, amount: money, reason, key: `${key}-${amount}` });
    if (r.error) return setMsg(errorText(r.error));
    setMsg(`Refunded: ${formatMoney(r.data!.refundOrder.payment.refunded)} in total (transaction ${r.data!.refundOrder.transactionId})`);
    onDone();
  }
  return (
    <section aria-labelledby="pay-title" className="card">
      <h2 id="pay-title">Payment</h2>
      {!p ? (
        <p className="muted">The wallet has not charged this order.</p>
      ) : (
        <>
          <dl className="kv" data-testid="payment">
            <dt>Status</dt><dd>{p.status}</dd>
            <dt>Paid</dt><dd>{formatMoney(p.amountPaid)} ({formatMoney(p.amountPaidFromWallet)} from the wallet)</dd>
            <dt>Refunded</dt><dd data-testid="refunded">{formatMoney(p.refunded)}</dd>
          </dl>
          <form onSubmit={(e) => void submit(e)}>
            <label>
              Refund amount ({p.amountPaid.currency}; empty: all that is left)
              <input value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" />
            </label>
            <label>
              Refund reason
              <input required value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button type="submit">Refund</button>
          </form>
        </>
      )}
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

function Users({ id }: { id?: string }) {
  const [text, setText] = useState(id ?? '');
  const [{ data, error }, refetch] = useQuery({ query: AdminUser, variables: { id: id ?? '' }, pause: !id, requestPolicy: 'network-only' });
  const [, assign] = useMutation(AdminAssignRole);
  const [, revoke] = useMutation(AdminRevokeRole);
  const [msg, setMsg] = useState('');
  const u = data?.user;
  return (
    <>
      <h1>Users and roles</h1>
      <form className="row card" onSubmit={(e) => { e.preventDefault(); location.hash = `#/users/${text.trim()}`; }}>
        <label>
          User id
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">Find user</button>
      </form>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      {u && (
        <section aria-labelledby="user-title" className="card">
          <h2 id="user-title">{u.name}</h2>
          <dl className="kv">
            <dt>Email</dt><dd>{u.email}</dd>
            <dt>Since</dt><dd>{new Date(u.createdAt).toLocaleDateString()}</dd>
            <dt>Disabled</dt><dd>{u.disabled ? 'yes' : 'no'}</dd>
            <dt>Wallet</dt><dd>{u.wallet?.balances.map((b) => formatMoney(b)).join(', ') || '—'} · {u.wallet?.loyaltyPoints ?? 0} points</dd>
          </dl>
          <fieldset>
            <legend>Roles</legend>
            {roles.map((r) => (
              <label key={r} className="inline">
                <input
                  type="checkbox"
                  checked={u.roles.includes(r)}
                  onChange={(e) =>
                    void (e.target.checked ? assign({ u: u.id, r }) : revoke({ u: u.id, r })).then((x) => {
                      setMsg(x.error ? errorText(x.error) : `${r} ${e.target.checked ? 'granted' : 'revoked'}`);
                      refetch({ requestPolicy: 'network-only' });
                    })
                  }
                />
                {r}
              </label>
            ))}
          </fieldset>
          {msg && <p role="status">{msg}</p>}
        </section>
      )}
    </>
  );
}

interface Readiness {
  status: string;
  checks: Record<string, { status: string; error?: string }>;
}

function Health() {
  const [r, setR] = useState<Readiness | null>(null);
  const [err, setErr] = useState('');
  const [at, setAt] = useState('');
  useEffect(() => {
    const load = () =>
      fetch(routerBase.replace(/\/graphql$/, '') + '/readyz')
        .then(async (res) => {
          setR((await res.json()) as Readiness);
          setErr('');
          setAt(new Date().toLocaleTimeString());
        })
        .catch((e) => setErr(String(e)));
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  return (
    <section aria-labelledby="health-title" className="card">
      <h1 id="health-title">Platform health</h1>
      {err && <p role="alert" className="error">The router does not answer: {err}</p>}
      {r && (
        <>
          <p data-testid="health-status">Router: <strong>{r.status === 'ok' ? 'ready' : 'not ready'}</strong> (checked {at})</p>
          <table>
            <thead><tr><th scope="col">Check</th><th scope="col">Status</th><th scope="col">Detail</th></tr></thead>
            <tbody>
              {Object.entries(r.checks).map(([k, c]) => (
                <tr key={k}><td>{k}</td><td>{c.status}</td><td>{c.error ?? ''}</td></tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Dead-letter queues: the platform has no API to list or replay them yet (consumers dead-letter to Kafka topics only).</p>
        </>
      )}
    </section>
  );
}

/** WalletAudit: the ledger's audit log re-verified on demand (every account's keyed hash chain and balance). */
function WalletAudit() {
  const [{ data, error, fetching }, run] = useQuery({ query: AdminAudit, requestPolicy: 'network-only', pause: true });
  const v = data?.walletAuditVerification;
  return (
    <section aria-labelledby="audit-title" className="card">
      <h1 id="audit-title">Wallet audit log</h1>
      <p className="muted">
        Every cent movement is appended to a keyed hash chain per account. Verifying recomputes every chain and every balance from the
        postings; it reads the whole log, so it takes a while on a large ledger.
      </p>
      <button type="button" disabled={fetching} onClick={() => run({ requestPolicy: 'network-only' })}>
        {fetching ? 'Verifying…' : 'Verify the audit log'}
      </button>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      {v && (
        <>
          <p data-testid="audit-verdict" role="status">
            <strong>{v.intact ? 'Intact' : 'TAMPERED'}</strong>: {v.rows} rows over {v.accounts} accounts, checked {new Date(v.checkedAt).toLocaleTimeString()}.
          </p>
          {v.problems.length > 0 && (
            <ul className="error" data-testid="audit-problems">
              {v.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
