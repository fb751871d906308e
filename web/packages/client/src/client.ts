// The GraphQL client: urql with Graphcache (a normalised cache, so an Order an orderUpdated
// event carries updates every screen showing that order) over HTTP, and graphql-ws
// (graphql-transport-ws) for subscriptions: the access token goes in connection_init and is
// read again on every reconnect; the socket retries forever with backoff.
import { Client, fetchExchange, subscriptionExchange } from 'urql';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws';
import type { AuthStore } from './auth';

export type Connectivity = 'online' | 'connecting' | 'offline';

/** ConnectivityStore says whether the live connection is up (or idle), for the offline banner. */
export class ConnectivityStore {
  state: Connectivity = typeof navigator !== 'undefined' && !navigator.onLine ? 'offline' : 'online';
  private listeners = new Set<(c: Connectivity) => void>();
  set(c: Connectivity) {
    if (c === this.state) return;
    this.state = c;
    for (const l of this.listeners) l(c);
  }
  subscribe(l: (c: Connectivity) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

// Types without an id of their own are embedded in their parent, not normalised.
const embedded = [
  'AuthPayload', 'Money', 'WalletMoney', 'GeoPoint', 'Location', 'Address', 'DeliveryAddress', 'OpeningHours',
  'DayHours', 'TimeRange', 'Menu', 'PageInfo', 'Quote', 'QuoteLine', 'OrderTransition', 'OrderLine', 'OrderLineOption',
  'OrderUpdate', 'OrderConnection', 'OrderEdge', 'RestaurantSearchConnection', 'RestaurantSearchEdge',
  'RestaurantSearchHit', 'DishMatch', 'SearchFacets', 'FacetCount', 'WalletTransactionEdge',
  'WalletTransactionConnection', 'RedeemPointsPreview', 'TrackingUpdate', 'Suggestion', 'DeliveryTransition',
  'QuotedOption', 'WalletAdjustment', 'DishSearchConnection', 'DishSearchEdge', 'DishSearchHit',
  'DeadLetterTopic', 'DeadLetterConnection', 'DeadLetterEdge', 'DeadLetterReplay',
];

/**
 * resumeSequence is where a resumable subscription's event sits in its stream: the root
 * field's `sequence` (myNotifications) or its `transition.sequence` (orderUpdated); null
 * for an event without one.
 */
export function resumeSequence(data: unknown): number | null {
  if (!data || typeof data !== 'object') return null;
  const root = Object.values(data as Record<string, unknown>)[0] as Record<string, unknown> | null | undefined;
  if (!root || typeof root !== 'object') return null;
  const seq = root.sequence ?? (root.transition as Record<string, unknown> | undefined)?.sequence;
  return typeof seq === 'number' ? seq : null;
}

export interface Endpoints {
  /** http(s)://host/graphql */
  http: string;
  /** ws(s)://host/graphql */
  ws: string;
}

/** endpointsFrom derives the router's URLs from a base (VITE_ROUTER_URL or the page's origin). */
export function endpointsFrom(base: string): Endpoints {
  const http = base.replace(/\/$/, '').endsWith('/graphql') ? base : base.replace(/\/$/, '') + '/graphql';
  return { http, ws: http.replace(/^http/, 'ws') };
}

export function createDizhClient(endpoints: Endpoints, auth: AuthStore, connectivity = new ConnectivityStore()) {
  let ws: WSClient | null = null;
  const makeWS = () =>
    createWSClient({
      url: endpoints.ws,
      lazy: true,
      connectionParams: () => {
        const t = auth.token();
        return t ? { Authorization: `Bearer ${t}` } : {};
      },
      retryAttempts: Infinity,
      shouldRetry: () => true,
      keepAlive: 10_000,
      on: {
        // After a drop the app stays offline while graphql-ws retries, until one connects.
        connecting: () => connectivity.set(connectivity.state === 'offline' ? 'offline' : 'connecting'),
        connected: () => connectivity.set('online'),
        // A clean close (1000) is the lazy socket going idle with no subscription left, 4499
        // our own terminate() on a change of user; any other close is a drop that graphql-ws
        // is about to retry.
        closed: (event) => {
          const code = (event as { code?: number } | undefined)?.code;
          connectivity.set(navigator.onLine && (code === 1000 || code === 4499) ? 'online' : 'offline');
        },
        error: () => connectivity.set('offline'),
      },
    });
  ws = makeWS();
  // A new identity needs a new connection_init: restart the socket when the user changes.
  let lastUser: string | null = null;
  auth.subscribe((s) => {
    const u = s?.user.id ?? null;
    if (u !== lastUser) {
      lastUser = u;
      ws?.terminate();
      ws = makeWS();
    }
  });
  if (typeof window !== 'undefined') {
    window.addEventListener('offline', () => connectivity.set('offline'));
    window.addEventListener('online', () => connectivity.set('connecting'));
  }

  const client = new Client({
    url: endpoints.http,
    exchanges: [
      cacheExchange({
        keys: {
          ...Object.fromEntries(embedded.map((t) => [t, () => null])),
          Wallet: (w) => (w.userId as string) ?? null,
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          // graphql-ws sends this same payload again on every reconnect: a subscription with a
          // `since` variable has it moved to the last sequence received, so the retry resumes
          // after it (nothing missed, nothing replayed twice).
          const input = { ...request, query: request.query || '', variables: { ...request.variables } as Record<string, unknown> };
          const resumable = 'since' in input.variables;
          return {
            subscribe(sink) {
              const unsubscribe = ws!.subscribe(input, {
                next(result) {
                  const seq = resumable ? resumeSequence(result.data) : null;
                  if (seq != null && seq > Number(input.variables.since ?? 0)) input.variables.since = seq;
                  sink.next(result as never);
                },
                error: (e) => sink.error(e),
                complete: () => sink.complete(),
              });
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    fetchOptions: () => {
      const t = auth.token();
      const headers: Record<string, string> = t ? { Authorization: `Bearer ${t}` } : {};
      return { headers };
    },
    requestPolicy: 'cache-and-network',
  });
  auth.attach(client);
  return { client, connectivity };
}
