// @dizhtime/ops: what the three operations apps (driver, restaurant, admin) share — the
// page's session and GraphQL client, sign-in and connectivity, error text, countdowns,
// the tile-less points map and the base stylesheet (@dizhtime/ops/styles.css).
export { auth, client, connectivity, routerBase } from './env';
export { ConnectivityBanner, errorCode, errorText, SignIn, useConnectivity, useCountdown, useSession } from './session';
export { PointsMap, type Mark, type Pt } from './Map';
