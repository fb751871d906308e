// The dashboard's hours and option editors. Each loads what it edits with the version it
// edits against; a save refused as stale (CONFLICT) shows who made the current version
// and when, and the editor starts again from it. Bad input the server refuses
// (BAD_USER_INPUT) is shown as the server words it, naming the field.
import { useEffect, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { errorCode, errorText } from '@dizhtime/ops';
import { checkGroups, groupsOf, hoursInput, menuWithGroups, rangesText, weekdays, type GroupDraft, type Weekday } from './editing';

const KitchenHours = graphql(`
  query KitchenHours($id: ID!) {
    restaurant(id: $id) { id isOpen openingHours { timeZone version editedAt editedBy { id name } days { day ranges { open close } } } }
  }
`);
const KitchenSetHours = graphql(`
  mutation KitchenSetHours($r: ID!, $v: Int!, $h: OpeningHoursInput!) {
    setOpeningHours(restaurantId: $r, expectedVersion: $v, openingHours: $h) { id isOpen openingHours { timeZone version } }
  }
`);
const KitchenMenuOptions = graphql(`
  query KitchenMenuOptions($id: ID!) {
    restaurant(id: $id) {
      id currency
      menu {
        version currency editedAt editedBy { id name }
        categories { id name items { id name description available tags imageUrl price { amountMinor currency }
          optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } } } }
      }
    }
  }
`);
const KitchenUpdateMenu = graphql(`
  mutation KitchenUpdateMenu($r: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $r, expectedMenuVersion: $v, menu: $m) { id menu { version } } }
`);

const dayName = (d: string) => d[0] + d.slice(1).toLowerCase();
const whoAndWhen = (e: { editedBy?: { name: string } | null; editedAt?: string | null }) =>
  e.editedBy ? `${e.editedBy.name}${e.editedAt ? ` at ${new Date(e.editedAt).toLocaleTimeString()}` : ''}` : 'Someone else';

export function HoursEditor({ restaurantId, onChange }: { restaurantId: string; onChange: () => void }) {
  const [{ data, error }, refetch] = useQuery({ query: KitchenHours, variables: { id: restaurantId }, requestPolicy: 'network-only' });
  const [, save] = useMutation(KitchenSetHours);
  const client = useClient();
  const h = data?.restaurant?.openingHours;
  const [zone, setZone] = useState('');
  const [texts, setTexts] = useState<Record<Weekday, string>>({} as Record<Weekday, string>);
  const [base, setBase] = useState(0);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');
  const [conflict, setConflict] = useState('');
  const load = (x: NonNullable<typeof h>) => {
    setZone(x.timeZone);
    setTexts(Object.fromEntries(x.days.map((d) => [d.day, rangesText(d.ranges)])) as Record<Weekday, string>);
    setBase(x.version);
  };
  useEffect(() => { if (h && base === 0) load(h); }, [h]); // eslint-disable-line react-hooks/exhaustive-deps
  async function submit() {
    setErr(''); setMsg(''); setConflict('');
    const input = hoursInput(zone, texts);
    if (typeof input === 'string') return setErr(input);
    const res = await save({ r: restaurantId, v: base, h: input });
    if (res.error && errorCode(res.error) === 'CONFLICT') {
      // Who made the version that won, and when (the hours record their editor).
      const fresh = await client.query(KitchenHours, { id: restaurantId }, { requestPolicy: 'network-only' }).toPromise();
      const now = fresh.data?.restaurant?.openingHours;
      setConflict(`${now ? whoAndWhen(now) : 'Someone else'} changed the hours since you opened them (version ${base} → ${now?.version ?? '?'}). Your edit was not saved; start again from the new version.`);
      refetch({ requestPolicy: 'network-only' });
      return;
    }
    if (res.error) return setErr(errorText(res.error));
    const now = res.data!.setOpeningHours;
    setBase(now.openingHours.version);
    setMsg(`Hours saved (version ${now.openingHours.version}); ${now.isOpen ? 'open now' : 'closed now'}.`);
    onChange();
  }
  if (error && !h) return <p role="alert" className="error">{errorText(error)}</p>;
  if (!h) return null;
  return (
    <section aria-labelledby="hours-title" className="card">
      <h2 id="hours-title">Opening hours (version {base})</h2>
      <p className="muted">
        {h.editedBy ? `Last changed by ${whoAndWhen(h)}. ` : ''}Ranges like 10:00-14:00, 18:00-02:00 (past midnight closes the next day); empty is closed.
      </p>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>
          Time zone
          <input value={zone} onChange={(e) => setZone(e.target.value)} placeholder="Asia/Tashkent" />
        </label>
        {weekdays.map((d) => (
          <label key={d}>
            {dayName(d)}
            <input aria-label={`${dayName(d)} hours`} value={texts[d] ?? ''} onChange={(e) => setTexts({ ...texts, [d]: e.target.value })} />
          </label>
        ))}
        <div className="row">
          <button type="submit">Save hours</button>
          {conflict && h && (
            <button type="button" className="secondary" onClick={() => { load(h); setConflict(''); }}>
              Start again from version {h.version}
            </button>
          )}
        </div>
      </form>
      {conflict && (
        <p role="alert" className="conflict" data-testid="hours-conflict">{conflict}</p>
      )}
      {err && <p role="alert" className="error" data-testid="hours-error">{err}</p>}
      {msg && <p role="status" data-testid="hours-saved">{msg}</p>}
    </section>
  );
}

export function OptionsEditor({ restaurantId, menuVersion, onChange }: { restaurantId: string; menuVersion: number; onChange: () => void }) {
  const [{ data, error }, refetch] = useQuery({ query: KitchenMenuOptions, variables: { id: restaurantId }, requestPolicy: 'network-only' });
  const [, update] = useMutation(KitchenUpdateMenu);
  const client = useClient();
  const menu = data?.restaurant?.menu;
  const items = menu?.categories.flatMap((c) => c.items) ?? [];
  const [itemId, setItemId] = useState('');
  const [groups, setGroupsState] = useState<GroupDraft[]>([]);
  const [dirty, setDirty] = useState(false);
  const setGroups = (g: GroupDraft[]) => { setGroupsState(g); setDirty(true); };
  const [base, setBase] = useState(0);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');
  const [conflict, setConflict] = useState('');
  const item = items.find((i) => i.id === itemId) ?? items[0];
  const load = (id: string) => {
    const it = items.find((i) => i.id === id);
    setItemId(id);
    setGroupsState(it ? groupsOf(it) : []);
    setDirty(false);
    setBase(menu?.version ?? 0);
  };
  const pick = (id: string) => { load(id); setErr(''); setMsg(''); setConflict(''); };
  // A menu changed elsewhere (prices, availability, another tab) becomes the base while
  // nothing is being edited here; a pending edit keeps its base and meets the CONFLICT.
  useEffect(() => { if (menu && items[0] && (base === 0 || !dirty)) load(itemId || items[0].id); }, [menu]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (!dirty && menuVersion !== base) refetch({ requestPolicy: 'network-only' }); }, [menuVersion]); // eslint-disable-line react-hooks/exhaustive-deps
  const setGroup = (gi: number, g: Partial<GroupDraft>) => setGroups(groups.map((x, i) => (i === gi ? { ...x, ...g } : x)));
  const setOption = (gi: number, oi: number, o: Partial<GroupDraft['options'][number]>) =>
    setGroup(gi, { options: groups[gi].options.map((x, i) => (i === oi ? { ...x, ...o } : x)) });
  async function save() {
    if (!menu || !item) return;
    setErr(''); setMsg(''); setConflict('');
    const bad = checkGroups(groups, menu.currency);
    if (bad) return setErr(bad);
    const res = await update({ r: restaurantId, v: base, m: menuWithGroups(menu, item.id, groups) });
    if (res.error && errorCode(res.error) === 'CONFLICT') {
      const fresh = await client.query(KitchenMenuOptions, { id: restaurantId }, { requestPolicy: 'network-only' }).toPromise();
      const now = fresh.data?.restaurant?.menu;
      setConflict(`${now ? whoAndWhen(now) : 'Someone else'} changed the menu since you opened it (version ${base} → ${now?.version ?? '?'}). Your option changes were not saved.`);
      refetch({ requestPolicy: 'network-only' });
      return;
    }
    if (res.error) return setErr(errorText(res.error));
    setBase(res.data!.updateMenu.menu.version);
    setDirty(false);
    setMsg(`Options of ${item.name} saved (menu version ${res.data!.updateMenu.menu.version}).`);
    refetch({ requestPolicy: 'network-only' });
    onChange();
  }
  if (error && !menu) return <p role="alert" className="error">{errorText(error)}</p>;
  if (!menu || !item) return null;
  return (
    <section aria-labelledby="options-title" className="card" data-testid="options-editor">
      <h2 id="options-title">Item options (menu version {base})</h2>
      <label>
        Item
        <select value={item.id} onChange={(e) => pick(e.target.value)}>
          {items.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
        </select>
      </label>
      {groups.length === 0 && <p className="muted">{item.name} has no option groups.</p>}
      {groups.map((g, gi) => (
        <fieldset key={g.id ?? `new-${gi}`} className="card">
          <legend>{g.name || 'New group'} ({g.min > 0 ? 'required' : 'optional'})</legend>
          <div className="row">
            <label>Group name <input value={g.name} onChange={(e) => setGroup(gi, { name: e.target.value })} /></label>
            <label>Minimum <input type="number" min={0} value={g.min} onChange={(e) => setGroup(gi, { min: Number(e.target.value) })} /></label>
            <label>Maximum <input type="number" min={1} value={g.max} onChange={(e) => setGroup(gi, { max: Number(e.target.value) })} /></label>
            <button type="button" className="secondary" onClick={() => setGroups(groups.filter((_, i) => i !== gi))}>Remove group {g.name}</button>
          </div>
          <table>
            <thead><tr><th scope="col">Option</th><th scope="col">Price delta ({menu.currency})</th><th scope="col">Available</th><th scope="col">Remove</th></tr></thead>
            <tbody>
              {g.options.map((o, oi) => (
                <tr key={o.id ?? `new-${oi}`}>
                  <td><input aria-label={`Option ${oi + 1} of ${g.name || 'the new group'}`} value={o.name} onChange={(e) => setOption(gi, oi, { name: e.target.value })} /></td>
                  <td><input aria-label={`Price delta of ${o.name || `option ${oi + 1}`}`} value={o.delta} inputMode="decimal" onChange={(e) => setOption(gi, oi, { delta: e.target.value })} /></td>
                  <td><input type="checkbox" aria-label={`${o.name || `Option ${oi + 1}`} available`} checked={o.available} onChange={(e) => setOption(gi, oi, { available: e.target.checked })} /></td>
                  <td><button type="button" className="link" onClick={() => setGroup(gi, { options: g.options.filter((_, i) => i !== oi) })}>Remove {o.name || `option ${oi + 1}`}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="secondary" onClick={() => setGroup(gi, { options: [...g.options, { name: '', delta: '0', available: true }] })}>
            Add option to {g.name || 'the new group'}
          </button>
        </fieldset>
      ))}
      <div className="row">
        <button type="button" className="secondary" onClick={() => setGroups([...groups, { name: '', min: 0, max: 1, options: [{ name: '', delta: '0', available: true }] }])}>
          Add option group
        </button>
        <button type="button" onClick={() => void save()}>Save options</button>
        {conflict && <button type="button" className="secondary" onClick={() => pick(item.id)}>Start again from the new version</button>}
      </div>
      {conflict && <p role="alert" className="conflict" data-testid="options-conflict">{conflict}</p>}
      {err && <p role="alert" className="error" data-testid="options-error">{err}</p>}
      {msg && <p role="status" data-testid="options-saved">{msg}</p>}
    </section>
  );
}
