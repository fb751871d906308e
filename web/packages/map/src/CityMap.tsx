// The city map with no internet: Leaflet draws vector layers only (no tile layer, no CDN):
// the demo city's H3 cells and seeded restaurants from city.json (written by
// `make web-generate` from the restaurants seed, see subgraphs/restaurants/cmd/citymap),
// and the screen's own points (a restaurant, the drop-off, the moving courier, search hits).
import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './map.css';
import cityURL from './city.json?url';

export type MapPointKind = 'restaurant' | 'dropoff' | 'driver' | 'hit';

export interface MapPoint {
  /** Stable across renders: a point that moves (the courier) keeps its marker. */
  id: string;
  kind: MapPointKind;
  lat: number;
  lng: number;
  label: string;
}

export interface CityMapProps {
  /** What the map shows, for screen readers. */
  label: string;
  points: MapPoint[];
  /** Draw a dashed line between the restaurant and the drop-off. */
  route?: boolean;
  /** Draw the city's seeded restaurants as small dots. */
  cityRestaurants?: boolean;
}

interface CityGeoJSON extends GeoJSON.FeatureCollection {
  city: { name: string; centre: [number, number]; radiusKm: number; h3Resolution: number };
}

let city: Promise<CityGeoJSON> | null = null;
function loadCity(): Promise<CityGeoJSON> {
  city ??= fetch(cityURL).then((r) => {
    if (!r.ok) throw new Error(`city map data: HTTP ${r.status}`);
    return r.json() as Promise<CityGeoJSON>;
  });
  return city;
}

const radius: Record<MapPointKind, number> = { restaurant: 8, dropoff: 8, driver: 9, hit: 6 };

// Density of restaurants per cell, as the fill's opacity.
function cellStyle(f?: GeoJSON.Feature): L.PathOptions {
  const n = Number(f?.properties?.restaurants ?? 0);
  return { className: 'city-cell', fillColor: '#e8590c', fillOpacity: Math.min(0.05 + n * 0.08, 0.45), weight: 1 };
}

export function CityMap({ label, points, route, cityRestaurants }: CityMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const markers = useRef(new Map<string, L.CircleMarker>());
  const routeLine = useRef<L.Polyline | null>(null);
  const fitted = useRef('');
  const [cityName, setCityName] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { zoomSnap: 0.25, attributionControl: true, worldCopyJump: false });
    m.attributionControl.setPrefix('Leaflet · DizhTime demo city (H3 cells)');
    m.setView([41.3111, 69.2797], 12);
    map.current = m;
    const points = L.layerGroup().addTo(m);
    layer.current = points;
    let alive = true;
    loadCity()
      .then((c) => {
        if (!alive) return;
        setCityName(c.city.name);
        const cells = L.geoJSON(c, { filter: (f) => f.properties?.kind === 'cell', style: cellStyle, interactive: false });
        cells.addTo(m);
        cells.bringToBack();
        if (cityRestaurants) {
          L.geoJSON(c, {
            filter: (f) => f.properties?.kind === 'restaurant',
            pointToLayer: (_f, at) => L.circleMarker(at, { radius: 2, className: 'city-restaurant', interactive: false }),
          }).addTo(m);
        }
        if (!fitted.current) m.fitBounds(cells.getBounds());
      })
      .catch((e: unknown) => alive && setError(String((e as Error)?.message ?? e)));
    return () => {
      alive = false;
      markers.current.clear();
      routeLine.current = null;
      fitted.current = '';
      m.remove();
      map.current = null;
    };
  }, [cityRestaurants]);

  // The screen's points: markers are kept by id and moved, so the courier glides.
  useEffect(() => {
    const m = map.current;
    const group = layer.current;
    if (!m || !group) return;
    const keep = new Set(points.map((p) => p.id));
    for (const [id, mk] of markers.current) {
      if (!keep.has(id)) {
        group.removeLayer(mk);
        markers.current.delete(id);
      }
    }
    for (const p of points) {
      const have = markers.current.get(p.id);
      if (have) {
        have.setLatLng([p.lat, p.lng]);
        continue;
      }
      const mk = L.circleMarker([p.lat, p.lng], { radius: radius[p.kind], className: `map-${p.kind}`, interactive: false });
      mk.bindTooltip(p.label, { permanent: p.kind !== 'hit', direction: 'right', offset: [8, 0] });
      mk.addTo(group);
      markers.current.set(p.id, mk);
    }
    if (routeLine.current) group.removeLayer(routeLine.current);
    routeLine.current = null;
    const from = points.find((p) => p.kind === 'restaurant');
    const to = points.find((p) => p.kind === 'dropoff');
    if (route && from && to) {
      routeLine.current = L.polyline([[from.lat, from.lng], [to.lat, to.lng]], { className: 'map-route', interactive: false }).addTo(group);
    }
    // Fit the view when the set of points changes, not when one of them moves.
    const key = points.map((p) => p.id).sort().join(',');
    if (points.length > 0 && key !== fitted.current) {
      fitted.current = key;
      const b = L.latLngBounds(points.map((p) => [p.lat, p.lng] as [number, number]));
      if (points.length === 1) m.setView(b.getCenter(), 15);
      else m.fitBounds(b, { padding: [36, 36], maxZoom: 16 });
    }
  }, [points, route]);

  const near = points.length ? ` Points: ${points.map((p) => p.label).join(', ')}.` : '';
  return (
    <figure className="city-map-figure" data-testid="city-map" data-city={cityName}>
      <div ref={el} className="city-map" role="region" aria-label={label} />
      <figcaption className="muted">
        {error ? `The city map could not load: ${error}` : `${cityName || 'City'} map, drawn from the demo city's H3 cells.${near}`}
      </figcaption>
    </figure>
  );
}
