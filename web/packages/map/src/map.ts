// @dizhtime/map: the offline city map of the web apps. Import it lazily
// (`lazy(() => import('@dizhtime/map'))`): Leaflet and the city's GeoJSON load only when a
// screen shows a map, so the first screen stays small.
export { CityMap as default, CityMap } from './CityMap';
export type { CityMapProps, MapPoint, MapPointKind } from './CityMap';
