import { useMemo, useState } from 'react';
import type { MapPoint } from '@dizhtime/map';
import { useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney } from '@dizhtime/client';
import { useDebounced, usePosition } from './hooks';
import { LazyMap } from './LazyMap';

const SearchQuery = graphql(`
  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {
    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {
      totalCount
      facets { cuisines { value count } priceLevels { value count } }
      edges {
        node {
          distanceMeters
          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes location { lat lng } }
          matchedDishes { name highlight price { amountMinor currency } dish { id } }
        }
      }
    }
  }
`);

const SuggestQuery = graphql(`
  query Suggest($prefix: String!, $near: GeoPointInput) {
    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }
  }
`);

const dietaryChoices = ['vegetarian', 'vegan', 'halal', 'gluten-free'];
// Distance choices in km; without one the search keeps the delivery range (10 km).
const distanceChoices = [1, 3, 5];

export function Search() {
  const near = usePosition();
  const [text, setText] = useState('');
  const [cuisines, setCuisines] = useState<string[]>([]);
  const [openNow, setOpenNow] = useState(false);
  const [maxPrice, setMaxPrice] = useState<number | null>(null);
  const [dietary, setDietary] = useState<string[]>([]);
  const [sort, setSort] = useState<'RELEVANCE' | 'DISTANCE' | 'RATING'>('RELEVANCE');
  const [withinKm, setWithinKm] = useState<number | null>(null);
  // The hits on the offline city map, on demand: its chunk and the city's data load only then.
  const [showMap, setShowMap] = useState(false);

  const query = useDebounced(text.trim(), 250);
  const [res] = useQuery({
    query: SearchQuery,
    variables: {
      query: query || null,
      near,
      radiusMeters: near && withinKm ? withinKm * 1000 : null,
      sort,
      filters: {
        cuisines: cuisines.length ? cuisines : null,
        openNow: openNow || null,
        maxPriceLevel: maxPrice,
        dietary: dietary.length ? dietary : null,
      },
    },
  });
  const [sug] = useQuery({ query: SuggestQuery, variables: { prefix: text, near }, pause: text.trim().length < 2 });
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const conn = res.data?.searchRestaurants;
  // A hit whose restaurant the restaurants subgraph does not know comes back with a null
  // restaurant (and a NOT_FOUND error at its path): it is skipped, the others are shown.
  const hits = useMemo(
    () => (conn?.edges ?? []).flatMap(({ node }) => (node.restaurant ? [{ ...node, restaurant: node.restaurant }] : [])),
    [conn],
  );
  const points = useMemo(() => {
    const ps: MapPoint[] = [{ id: 'you', kind: 'dropoff', label: 'You', lat: near.lat, lng: near.lng }];
    for (const h of hits) ps.push({ id: h.restaurant.id, kind: 'hit', label: h.restaurant.name, lat: h.restaurant.location.lat, lng: h.restaurant.location.lng });
    return ps;
  }, [hits, near]);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Find food</h1>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Restaurant, dish or cuisine
          <input
            type="search"
            name="q"
            list="suggestions"
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <datalist id="suggestions">
          {sug.data?.suggest.map((s) => <option key={s.kind + s.text} value={s.text} label={s.kind.toLowerCase()} />)}
        </datalist>
        <fieldset className="filters">
          <legend>Filters</legend>
          <label className="inline">
            <input type="checkbox" checked={openNow} onChange={(e) => setOpenNow(e.target.checked)} /> Open now
          </label>
          <label className="inline">
            Max price
            <select value={maxPrice ?? ''} onChange={(e) => setMaxPrice(e.target.value ? Number(e.target.value) : null)}>
              <option value="">any</option>
              {[1, 2, 3, 4].map((p) => (
                <option key={p} value={p}>{'$'.repeat(p)}</option>
              ))}
            </select>
          </label>
          <label className="inline">
            Distance
            <select
              data-testid="distance"
              value={withinKm ?? ''}
              disabled={!near}
              onChange={(e) => setWithinKm(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">delivery range</option>
              {distanceChoices.map((km) => (
                <option key={km} value={km}>within {km} km</option>
              ))}
            </select>
          </label>
          <label className="inline">
            Sort
            <select value={sort} onChange={(e) => setSort(e.target.value as typeof sort)}>
              <option value="RELEVANCE">relevance</option>
              <option value="DISTANCE">distance</option>
              <option value="RATING">rating</option>
            </select>
          </label>
          {dietaryChoices.map((d) => (
            <label className="inline" key={d}>
              <input type="checkbox" checked={dietary.includes(d)} onChange={() => setDietary(toggle(dietary, d))} /> {d}
            </label>
          ))}
        </fieldset>
        {conn && conn.facets.cuisines.length > 0 && (
          <fieldset className="facets">
            <legend>Cuisines</legend>
            {conn.facets.cuisines.map((f) => (
              <button
                type="button"
                key={f.value}
                aria-pressed={cuisines.includes(f.value)}
                className="chip"
                onClick={() => setCuisines(toggle(cuisines, f.value))}
              >
                {f.value} ({f.count})
              </button>
            ))}
          </fieldset>
        )}
      </form>
      {res.error && !conn && <p role="alert" className="error">{res.error.message}</p>}
      {conn && (
        <p aria-live="polite">
          {conn.totalCount} restaurants{near && withinKm ? ` within ${withinKm} km` : ''}
        </p>
      )}
      <button type="button" className="link" aria-pressed={showMap} aria-controls="search-map" onClick={() => setShowMap(!showMap)}>
        {showMap ? 'Hide the map' : 'Show on the map'}
      </button>
      <div id="search-map">{showMap && <LazyMap label="Map of the restaurants found and your position" points={points} />}</div>
      <ul className="results" aria-label="Restaurants">
        {hits.map((node) => (
          <li key={node.restaurant.id}>
            <a href={`#/r/${node.restaurant.id}`} className="result">
              <strong>{node.restaurant.name}</strong>
              <span>
                {node.restaurant.cuisines.join(', ')} · {'$'.repeat(node.restaurant.priceLevel)} ·{' '}
                {node.restaurant.isOpen ? 'open' : 'closed'}
                {node.distanceMeters != null && ` · ${(node.distanceMeters / 1000).toFixed(1)} km`}
              </span>
              {node.matchedDishes.length > 0 && (
                <span className="dishes">
                  {node.matchedDishes.slice(0, 3).map((d) => `${d.name} ${formatMoney(d.price)}`).join(' · ')}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
