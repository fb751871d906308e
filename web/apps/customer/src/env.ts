// Where the router is, and who the app is talking to: the build's VITE_ROUTER_URL, a
// ?router= query parameter (the end-to-end test serves the app on its own port), or the
// page's own origin (the router serving the app).
import { AuthStore, createDizhClient, endpointsFrom } from '@dizhtime/client';

const param = new URLSearchParams(location.search).get('router');
const base = param || (import.meta.env.VITE_ROUTER_URL as string | undefined) || location.origin;

export const auth = new AuthStore();
export const { client, connectivity } = createDizhClient(endpointsFrom(base), auth);

/** Tashkent's centre: where the app searches when the browser gives no position. */
export const fallbackPosition = { lat: 41.3111, lng: 69.2797 };
