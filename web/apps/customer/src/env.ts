// Where the router is, and who the app is talking to: a ?router= query parameter (the
// end-to-end test serves the app on its own port), the <meta name="dizhtime-router"> the
// production image's server writes from DIZHTIME_WEB_ROUTER_URL, the build's
// VITE_ROUTER_URL, or the page's own origin (the router serving the app).
import { AuthStore, createDizhClient, endpointsFrom } from '@dizhtime/client';

const param = new URLSearchParams(location.search).get('router');
const meta = document.querySelector<HTMLMetaElement>('meta[name="dizhtime-router"]')?.content;
const base = param || meta || (import.meta.env.VITE_ROUTER_URL as string | undefined) || location.origin;

export const auth = new AuthStore();
export const { client, connectivity } = createDizhClient(endpointsFrom(base), auth);

/** Tashkent's centre: where the app searches when the browser gives no position. */
export const fallbackPosition = { lat: 41.3111, lng: 69.2797 };
