// Where the router is: a ?router= query parameter (the end-to-end test serves the apps on
// its own port), the build's VITE_ROUTER_URL, or the page's own origin. One session and
// one client per page, shared by the operations apps' screens.
import { AuthStore, createDizhClient, endpointsFrom } from '@dizhtime/client';

const param = new URLSearchParams(location.search).get('router');
const base = param || (import.meta.env.VITE_ROUTER_URL as string | undefined) || location.origin;

/** routerBase is the router's origin (its /readyz is read by the admin's health screen). */
export const routerBase = base.replace(/\/$/, '');

export const auth = new AuthStore();
export const { client, connectivity } = createDizhClient(endpointsFrom(base), auth);
