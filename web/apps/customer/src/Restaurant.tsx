import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import type { ItemOptionsQuery, RestaurantMenuQuery } from '@dizhtime/client/gql/graphql';
import { formatMoney } from '@dizhtime/client';
import { addToCart, choiceErrors, type Cart, type CartOption } from './cart';

const RestaurantMenu = graphql(`
  query RestaurantMenu($id: ID!) {
    restaurant(id: $id) {
      id name description cuisines isOpen currency prepTimeMinutes
      address { line1 city }
      menu {
        version currency
        categories {
          id name
          items {
            id name description available tags
            price { amountMinor currency }
          }
        }
      }
    }
  }
`);

// An item's option groups load when the customer opens it: the router's cost estimate
// (default list size 10 per nesting level) refuses a whole menu with every option nested.
const ItemOptions = graphql(`
  query ItemOptions($id: ID!) {
    menuItem(id: $id) {
      id
      optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } }
    }
  }
`);

type Item = NonNullable<RestaurantMenuQuery['restaurant']>['menu']['categories'][number]['items'][number];
type Group = NonNullable<ItemOptionsQuery['menuItem']>['optionGroups'][number];

export function RestaurantPage({ id, cart, setCart }: { id: string; cart: Cart; setCart: (c: Cart) => void }) {
  const [res] = useQuery({ query: RestaurantMenu, variables: { id } });
  const [open, setOpen] = useState<string | null>(null);
  const r = res.data?.restaurant;
  if (res.error) return <p role="alert" className="error">{res.error.message}</p>;
  if (!r) return <p>{res.fetching ? 'Loading…' : 'No such restaurant.'}</p>;
  const restaurant = { id: r.id, name: r.name, currency: r.menu.currency };
  return (
    <section aria-labelledby="r-title">
      <h1 id="r-title">{r.name}</h1>
      <p>
        {r.cuisines.join(', ')} · {r.isOpen ? 'open now' : 'closed'} · about {r.prepTimeMinutes} min
      </p>
      <p>{r.description}</p>
      {r.menu.categories.map((c) => (
        <section key={c.id} aria-labelledby={`cat-${c.id}`}>
          <h2 id={`cat-${c.id}`}>{c.name}</h2>
          <ul className="menu">
            {c.items.map((it) => (
              <li key={it.id}>
                <div className="item-head">
                  <span>
                    <strong>{it.name}</strong> <span>{formatMoney(it.price)}</span>
                    {!it.available && <em> (sold out)</em>}
                  </span>
                  <button
                    type="button"
                    disabled={!it.available || !r.isOpen}
                    aria-expanded={open === it.id}
                    onClick={() => setOpen(open === it.id ? null : it.id)}
                  >
                    Add {it.name}
                  </button>
                </div>
                {it.description && <p className="muted">{it.description}</p>}
                {open === it.id && (
                  <ItemChooser
                    item={it}
                    onAdd={(options, qty) => {
                      setCart(addToCart(cart, restaurant, { id: it.id, name: it.name, priceMinor: it.price.amountMinor }, options, qty));
                      setOpen(null);
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p>
        <a href="#/cart">Go to cart</a>
      </p>
    </section>
  );
}

function ItemChooser({ item, onAdd }: { item: Item; onAdd: (o: CartOption[], qty: number) => void }) {
  const [res] = useQuery({ query: ItemOptions, variables: { id: item.id } });
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [qty, setQty] = useState(1);
  const [tried, setTried] = useState(false);
  if (res.error) return <p role="alert" className="error">{res.error.message}</p>;
  if (!res.data?.menuItem) return <p aria-live="polite">{res.fetching ? 'Loading options…' : 'This dish is no longer on the menu.'}</p>;
  const groups: Group[] = res.data.menuItem.optionGroups;
  const errors = choiceErrors(groups, chosen);
  const options: CartOption[] = groups.flatMap((g) =>
    g.options
      .filter((o) => chosen[g.id]?.includes(o.id))
      .map((o) => ({ id: o.id, name: o.name, groupId: g.id, priceDeltaMinor: o.priceDelta.amountMinor })),
  );
  const unit = options.reduce((s, o) => s + BigInt(o.priceDeltaMinor), BigInt(item.price.amountMinor));
  return (
    <form
      className="chooser"
      aria-label={`Options for ${item.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (errors.length === 0) onAdd(options, qty);
      }}
    >
      {groups.map((g) => {
        const single = g.maxChoices === 1;
        return (
          <fieldset key={g.id}>
            <legend>
              {g.name} {g.minChoices > 0 ? `(required${g.maxChoices > 1 ? `, up to ${g.maxChoices}` : ''})` : `(optional, up to ${g.maxChoices})`}
            </legend>
            {g.options.map((o) => (
              <label className="inline" key={o.id}>
                <input
                  type={single ? 'radio' : 'checkbox'}
                  name={g.id}
                  disabled={!o.available}
                  checked={chosen[g.id]?.includes(o.id) ?? false}
                  onChange={(e) => {
                    const cur = chosen[g.id] ?? [];
                    const next = single ? [o.id] : e.target.checked ? [...cur, o.id] : cur.filter((x) => x !== o.id);
                    setChosen({ ...chosen, [g.id]: next });
                  }}
                />
                {o.name} {o.priceDelta.amountMinor !== 0 && `+${formatMoney(o.priceDelta)}`}
              </label>
            ))}
          </fieldset>
        );
      })}
      <label className="inline">
        Quantity
        <input type="number" min={1} max={50} value={qty} onChange={(e) => setQty(Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
      </label>
      {tried && errors.length > 0 && (
        <ul role="alert" className="error">
          {errors.map((e) => <li key={e}>{e}</li>)}
        </ul>
      )}
      <button type="submit">
        Add to cart · {formatMoney({ amountMinor: unit * BigInt(qty), currency: item.price.currency })}
      </button>
    </form>
  );
}
