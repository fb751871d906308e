// The city map (Leaflet + the city's GeoJSON, @dizhtime/map) in a chunk of its own, loaded
// when a screen first shows a map: the first screen's JavaScript does not carry it.
import { lazy, Suspense } from 'react';
import type { CityMapProps } from '@dizhtime/map';

const CityMap = lazy(() => import('@dizhtime/map'));

export function LazyMap(props: CityMapProps) {
  return (
    <Suspense fallback={<p className="muted city-map-loading">Loading the map…</p>}>
      <CityMap {...props} />
    </Suspense>
  );
}
