// The restaurant's dashboard, tablet layout: live incoming orders (restaurantOrders) with
// the acceptance deadline counting down and a chime, accept / reject with a reason,
// preparing -> ready, pause / resume, the menu's prices and availability edited against
// its version (a stale edit shows who changed what), the staff listed from the
// restaurant's relation tuples (added by user id, removed), today's sales from analytics,
// and (Editors.tsx) the weekly hours and each item's option groups.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney, parseMoney } from '@dizhtime/client';
import { auth, ConnectivityBanner, errorCode, errorText, SignIn, useCountdown, useSession } from '@dizhtime/ops';
import { HoursEditor, OptionsEditor } from './Editors';

const KitchenRestaurants = graphql(`
  query KitchenRestaurants { restaurants(first: 100) { edges { node { id name } } } }
`);
const KitchenRestaurant = graphql(`
  query KitchenRestaurant($id: ID!) {
    restaurant(id: $id) {
      id name paused pauseReason isOpen currency version
      menu { version currency editedAt editedBy { id name } categories { id name items { id name available price { amountMinor currency } } } }
    }
  }
`);
const KitchenOrders = graphql(`
  subscription KitchenOrders($r: ID!) {
    restaurantOrders(restaurantId: $r) {
      transition { sequence from to at actor reason }
      order {
        id status acceptBy placedAt
        total { amountMinor currency }
        lines { name quantity options { id name } }
      }
    }
  }
`);
const KitchenAccept = graphql(`mutation KitchenAccept($id: ID!) { acceptOrder(id: $id) { id status } }`);
const KitchenReject = graphql(`mutation KitchenReject($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id status } }`);
const KitchenPreparing = graphql(`mutation KitchenPreparing($id: ID!) { markPreparing(id: $id) { id status } }`);
const KitchenReady = graphql(`mutation KitchenReady($id: ID!) { markReady(id: $id) { id status } }`);
const KitchenPause = graphql(`mutation KitchenPause($id: ID!, $reason: String) { pauseRestaurant(id: $id, reason: $reason) { id paused pauseReason isOpen } }`);
const KitchenResume = graphql(`mutation KitchenResume($id: ID!) { resumeRestaurant(id: $id) { id paused pauseReason isOpen } }`);
const KitchenPrices = graphql(`
  mutation KitchenPrices($r: ID!, $v: Int!, $changes: [PriceChangeInput!]!) {
    changePrices(restaurantId: $r, expectedMenuVersion: $v, changes: $changes) {
      id menu { version categories { id items { id price { amountMinor currency } } } }
    }
  }
`);
const KitchenAvailability = graphql(`
  mutation KitchenAvailability($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id available } }
`);
const KitchenAddStaff = graphql(`mutation KitchenAddStaff($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`);
const KitchenRemoveStaff = graphql(`mutation KitchenRemoveStaff($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }`);
const KitchenTeam = graphql(`
  query KitchenTeam($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }
`);
const KitchenSales = graphql(`
  query KitchenSales($range: AnalyticsRange!) { salesSeries(range: $range, bucket: DAY) { totalOrders totalGmvMinor } }
`);

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
  return (
    <>
      <header className="bar">
        <a className="brand" href="#/">DizhTime Kitchen</a>
        {session && (
          <button type="button" className="link" onClick={() => void auth.logout()}>
            Sign out
          </button>
        )}
      </header>
      {session && <ConnectivityBanner />}
      <main>{!session ? <SignIn title="Restaurant sign in" /> : route[0] === 'r' && route[1] ? <Dashboard id={route[1]} /> : <Pick />}</main>
    </>
  );
}

function Pick() {
  const [{ data, error }] = useQuery({ query: KitchenRestaurants });
  return (
    <section aria-labelledby="pick-title" className="card">
      <h1 id="pick-title">Choose your restaurant</h1>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      <ul>
        {data?.restaurants.edges.map(({ node }) => (
          <li key={node.id}>
            <a href={`#/r/${node.id}`}>{node.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

type Update = NonNullable<import('@dizhtime/client/gql/graphql').KitchenOrdersSubscription['restaurantOrders']>;
type Ticket = Update['order'] & { history: Update['transition'][] };
const open = ['PAID', 'ACCEPTED', 'PREPARING', 'READY_FOR_PICKUP'];

function chime() {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const o = ctx.createOscillator();
    o.frequency.value = 880;
    o.connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.25);
  } catch {
    /* no sound available: the red ticket is the signal */
  }
}

function Dashboard({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({ query: KitchenRestaurant, variables: { id } });
  // Every update folds into the tickets in the subscription's reducer: the first burst
  // (the current state of each open order) arrives faster than renders.
  const [sub] = useSubscription({ query: KitchenOrders, variables: { r: id } }, (prev: Record<string, Ticket> | undefined, next) => {
    const u = next.restaurantOrders;
    const was = prev?.[u.order.id];
    if (was?.history.some((h) => h.sequence === u.transition.sequence)) return prev!;
    return { ...(prev ?? {}), [u.order.id]: { ...u.order, history: [...(was?.history ?? []), u.transition] } };
  });
  const tickets = (sub.data as unknown as Record<string, Ticket> | undefined) ?? {};
  const heard = useRef(new Set<string>());
  useEffect(() => {
    for (const t of Object.values(tickets)) {
      if (t.status === 'PAID' && !heard.current.has(t.id)) {
        heard.current.add(t.id);
        chime();
      }
    }
  }, [tickets]);

  const r = data?.restaurant;
  const list = useMemo(() => Object.values(tickets).sort((a, b) => b.placedAt.localeCompare(a.placedAt)), [tickets]);
  if (error && !r) return <p role="alert" className="error">{errorText(error)}</p>;
  if (!r) return <p>Loading…</p>;
  return (
    <>
      <h1>{r.name}</h1>
      <PauseBar r={r} onChange={() => refetch({ requestPolicy: 'network-only' })} />
      {sub.error && <p role="alert" className="error">Live orders: {errorText(sub.error)}</p>}
      <div className="columns">
        <section aria-labelledby="orders-title">
          <h2 id="orders-title">Orders</h2>
          {list.filter((t) => open.includes(t.status)).length === 0 && <p className="muted">No open orders.</p>}
          {list.filter((t) => open.includes(t.status)).map((t) => <TicketCard key={t.id} t={t} />)}
          <h3>Closed today</h3>
          <ul data-testid="closed-orders">
            {list.filter((t) => !open.includes(t.status)).map((t) => (
              <li key={t.id}>
                <code>{t.id.slice(0, 8)}</code> {t.status}
                {t.history.at(-1)?.reason ? ` (${t.history.at(-1)?.reason})` : ''}
              </li>
            ))}
          </ul>
        </section>
        <div>
          <Sales restaurantId={id} currency={r.currency} />
          <MenuEditor r={r} onChange={() => refetch({ requestPolicy: 'network-only' })} />
          <OptionsEditor restaurantId={id} menuVersion={r.menu.version} onChange={() => refetch({ requestPolicy: 'network-only' })} />
          <HoursEditor restaurantId={id} onChange={() => refetch({ requestPolicy: 'network-only' })} />
          <Staff restaurantId={id} />
        </div>
      </div>
    </>
  );
}

function TicketCard({ t }: { t: Ticket }) {
  const left = useCountdown(t.status === 'PAID' ? t.acceptBy : null);
  const [reason, setReason] = useState('');
  const [err, setErr] = useState('');
  const [, accept] = useMutation(KitchenAccept);
  const [, reject] = useMutation(KitchenReject);
  const [, preparing] = useMutation(KitchenPreparing);
  const [, ready] = useMutation(KitchenReady);
  const run = async (p: Promise<{ error?: unknown }>) => {
    setErr('');
    const res = await p;
    if (res.error) setErr(errorText(res.error));
  };
  const short = t.id.slice(0, 8);
  return (
    <article className={`card ticket ${t.status}`} aria-labelledby={`t-${t.id}`} data-testid="ticket" data-order={t.id}>
      <h3 id={`t-${t.id}`}>
        Order {short} · {formatMoney(t.total)} · <span data-testid="ticket-status">{t.status}</span>
      </h3>
      <ul>
        {t.lines.map((l, i) => (
          <li key={i}>
            {l.quantity} × {l.name}
            {l.options.length > 0 && ` (${l.options.map((o) => o.name).join(', ')})`}
          </li>
        ))}
      </ul>
      {t.status === 'PAID' && (
        <>
          <p>
            Accept within <span className="countdown" data-testid="accept-countdown">{Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}</span>
          </p>
          <div className="row">
            <button type="button" onClick={() => void run(accept({ id: t.id }))}>
              Accept order {short}
            </button>
          </div>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(reject({ id: t.id, reason }));
            }}
          >
            <label>
              Reason to reject {short}
              <input required value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button type="submit" className="danger">
              Reject order {short}
            </button>
          </form>
        </>
      )}
      {t.status === 'ACCEPTED' && (
        <button type="button" onClick={() => void run(preparing({ id: t.id }))}>
          Start preparing {short}
        </button>
      )}
      {t.status === 'PREPARING' && (
        <button type="button" onClick={() => void run(ready({ id: t.id }))}>
          Ready for pickup {short}
        </button>
      )}
      {t.status === 'READY_FOR_PICKUP' && <p className="muted">Waiting for the courier.</p>}
      {err && <p role="alert" className="error">{err}</p>}
    </article>
  );
}

type R = NonNullable<import('@dizhtime/client/gql/graphql').KitchenRestaurantQuery['restaurant']>;

function PauseBar({ r, onChange }: { r: R; onChange: () => void }) {
  const [, pause] = useMutation(KitchenPause);
  const [, resume] = useMutation(KitchenResume);
  const [reason, setReason] = useState('');
  const [err, setErr] = useState('');
  return (
    <section aria-label="Taking orders" className="card row">
      <p data-testid="paused-state">
        {r.paused ? `Paused${r.pauseReason ? `: ${r.pauseReason}` : ''}` : r.isOpen ? 'Open: taking orders' : 'Closed (outside opening hours)'}
      </p>
      {r.paused ? (
        <button type="button" onClick={() => void resume({ id: r.id }).then((x) => (x.error ? setErr(errorText(x.error)) : onChange()))}>
          Resume orders
        </button>
      ) : (
        <>
          <label>
            Pause reason
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="button" className="secondary" onClick={() => void pause({ id: r.id, reason: reason || null }).then((x) => (x.error ? setErr(errorText(x.error)) : onChange()))}>
            Pause orders
          </button>
        </>
      )}
      {err && <p role="alert" className="error">{err}</p>}
    </section>
  );
}

function MenuEditor({ r, onChange }: { r: R; onChange: () => void }) {
  // The version the edit started from: a save against it is refused when someone else
  // changed the menu meanwhile, and the editor then shows what they changed.
  const [base, setBase] = useState(r.menu);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState('');
  const [err, setErr] = useState('');
  const [, prices] = useMutation(KitchenPrices);
  const [, avail] = useMutation(KitchenAvailability);
  const client = useClient();
  const items = base.categories.flatMap((c) => c.items);
  async function save() {
    setErr('');
    setConflict('');
    const changes = [];
    for (const [id, text] of Object.entries(edits)) {
      const minor = parseMoney(text, base.currency);
      if (minor === null) return setErr(`Not a price: ${text}`);
      changes.push({ id, price: { amountMinor: Number(minor), currency: base.currency } });
    }
    const res = await prices({ r: r.id, v: base.version, changes });
    const code = res.error ? errorCode(res.error) : undefined;
    if (code === 'CONFLICT') {
      // Someone saved first: show their changes against the version this edit began from.
      const fresh = await client.query(KitchenRestaurant, { id: r.id }, { requestPolicy: 'network-only' }).toPromise();
      const now = fresh.data?.restaurant?.menu ?? r.menu;
      const theirs = now.categories.flatMap((c) => c.items);
      const diffs = theirs
        .map((it) => {
          const was = items.find((x) => x.id === it.id);
          if (!was) return `${it.name} added`;
          const d = [];
          if (was.price.amountMinor !== it.price.amountMinor) d.push(`${it.name}: ${formatMoney(was.price)} → ${formatMoney(it.price)}`);
          if (was.available !== it.available) d.push(`${it.name}: ${it.available ? 'back on' : 'sold out'}`);
          return d.join('; ');
        })
        .filter(Boolean);
      // Who made the version that won, and when (the menu records its editor).
      const who = now.editedBy ? `${now.editedBy.name}${now.editedAt ? ` at ${new Date(now.editedAt).toLocaleTimeString()}` : ''}` : 'Someone else';
      setConflict(`${who} changed the menu since you opened it (version ${base.version} → ${now.version})${diffs.length ? ': ' + diffs.join('; ') : ''}. Your edit was not saved; review and save again.`);
      onChange();
      return;
    }
    if (res.error) return setErr(errorText(res.error));
    setEdits({});
    onChange();
  }
  // A fresher menu from the server becomes the base once there is no pending edit.
  useEffect(() => {
    if (Object.keys(edits).length === 0 && !conflict) setBase(r.menu);
  }, [r.menu]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <section aria-labelledby="menu-title" className="card">
      <h2 id="menu-title">Menu (version {base.version})</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Price ({base.currency})</th>
            <th scope="col">Available</th>
          </tr>
        </thead>
        <tbody>
          {items.map((it) => (
            <tr key={it.id}>
              <td>{it.name}</td>
              <td>
                <input
                  aria-label={`Price of ${it.name}`}
                  value={edits[it.id] ?? formatMoney(it.price).replace(/\s*[A-Z]{3}$/, '').replace(/,/g, '')}
                  onChange={(e) => setEdits({ ...edits, [it.id]: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${it.name} available`}
                  checked={it.available}
                  onChange={(e) => void avail({ id: it.id, a: e.target.checked }).then((x) => (x.error ? setErr(errorText(x.error)) : onChange()))}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" disabled={Object.keys(edits).length === 0} onClick={() => void save()}>
          Save prices
        </button>
        {conflict && (
          <button type="button" className="secondary" onClick={() => { setEdits({}); setConflict(''); setBase(r.menu); }}>
            Start again from the new version
          </button>
        )}
      </div>
      {conflict && <p role="alert" className="conflict" data-testid="menu-conflict">{conflict}</p>}
      {err && <p role="alert" className="error">{err}</p>}
    </section>
  );
}

function Staff({ restaurantId }: { restaurantId: string }) {
  // The team is the restaurant's relation tuples in identity (restaurant#owner, #staff):
  // only an owner (or an admin) reads and changes it; staff see the panel hidden.
  const [{ data, error }, refetch] = useQuery({ query: KitchenTeam, variables: { r: restaurantId }, requestPolicy: 'network-only' });
  const [user, setUser] = useState('');
  const [msg, setMsg] = useState('');
  const [, add] = useMutation(KitchenAddStaff);
  const [, remove] = useMutation(KitchenRemoveStaff);
  const run = async (p: Promise<{ error?: unknown }>, done: string) => {
    const r = await p;
    setMsg(r.error ? errorText(r.error) : done);
    if (!r.error) setUser('');
    refetch({ requestPolicy: 'network-only' });
  };
  if (error && errorCode(error) === 'FORBIDDEN') return null;
  return (
    <section aria-labelledby="staff-title" className="card">
      <h2 id="staff-title">Staff</h2>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      <table data-testid="staff">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col"><span className="visually-hidden">Action</span></th>
          </tr>
        </thead>
        <tbody>
          {data?.restaurantTeam.map((m) => (
            <tr key={m.user.id} data-user={m.user.id}>
              <td>
                {m.user.name}
                {m.user.email && <div className="muted">{m.user.email}</div>}
              </td>
              <td>{m.relation === 'OWNER' ? 'Owner' : 'Staff'}</td>
              <td>
                {m.relation === 'STAFF' && (
                  <button type="button" className="secondary" onClick={() => void run(remove({ r: restaurantId, u: m.user.id }), `${m.user.name} is no longer staff`)}>
                    Remove {m.user.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(add({ r: restaurantId, u: user.trim() }), 'Added to the staff');
        }}
      >
        <label>
          New staff member's user id
          <input required value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <button type="submit">Add staff</button>
      </form>
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

function Sales({ restaurantId, currency }: { restaurantId: string; currency: string }) {
  const range = useMemo(() => {
    const from = new Date();
    from.setUTCHours(0, 0, 0, 0);
    const to = new Date(from.getTime() + 86_400_000);
    return { from: from.toISOString(), to: to.toISOString(), restaurantIds: [restaurantId] };
  }, [restaurantId]);
  const [{ data, error }] = useQuery({ query: KitchenSales, variables: { range }, requestPolicy: 'network-only' });
  // Hidden while analytics cannot answer (not deployed, or not allowed).
  if (error || !data) return null;
  return (
    <section aria-labelledby="sales-title" className="card">
      <h2 id="sales-title">Today's sales (UTC day)</h2>
      <p data-testid="sales-today">
        {data.salesSeries.totalOrders} orders · {formatMoney({ amountMinor: data.salesSeries.totalGmvMinor, currency })}
      </p>
    </section>
  );
}
