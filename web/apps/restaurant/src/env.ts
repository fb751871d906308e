// Where the router is: a ?router= query parameter (the end-to-end test serves the app on
// its own port), the build's VITE_ROUTER_URL, or the page's own origin.
import { AuthStore, createDizhClient, endpointsFrom } from '@dizhtime/client';

const param = new URLSearchParams(location.search).get('router');
const base = param || (import.meta.env.VITE_ROUTER_URL as string | undefined) || location.origin;

export const auth = new AuthStore();
export const { client, connectivity } = createDizhClient(endpointsFrom(base), auth);
