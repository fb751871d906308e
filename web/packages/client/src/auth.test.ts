// AuthStore's session handling with fake timers and a client answering from fixed payloads:
// the access token is renewed a margin before it expires, with the single-use refresh
// token, and logout forgets the session before telling identity.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Client } from 'urql';
import { AuthStore } from './auth';

afterEach(() => vi.useRealTimers());

function payload(n: number, now: number) {
  return {
    accessToken: `access-${n}`,
    accessTokenExpiresAt: new Date(now + 15 * 60_000).toISOString(),
    refreshToken: `refresh-${n}`,
    refreshTokenExpiresAt: new Date(now + 30 * 86_400_000).toISOString(),
    user: { id: 'u1', name: 'A', email: 'a@dizhtime.test', roles: ['CUSTOMER'] },
  };
}

function fakeClient() {
  const calls: { op: string; vars: Record<string, unknown> }[] = [];
  let n = 0;
  const client = {
    mutation: (doc: { definitions: { name?: { value: string } }[] }, vars: Record<string, unknown>) => {
      const op = doc.definitions.find((d) => d.name)!.name!.value;
      calls.push({ op, vars });
      n++;
      const data = op === 'Logout' ? { logout: true } : { [op.toLowerCase()]: payload(n, Date.now()) };
      return { toPromise: () => Promise.resolve({ data }) };
    },
  } as unknown as Client;
  return { client, calls };
}

describe('AuthStore', () => {
  it('refreshes the access token a minute before it expires, with the last refresh token', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-06T20:00:00Z') });
    const { client, calls } = fakeClient();
    const auth = new AuthStore(60_000);
    auth.attach(client);
    await auth.login('a@dizhtime.test', 'pw');
    expect(auth.token()).toBe('access-1');
    await vi.advanceTimersByTimeAsync(13 * 60_000);
    expect(calls.map((c) => c.op)).toEqual(['Login']);
    await vi.advanceTimersByTimeAsync(60_000 + 1);
    expect(calls.map((c) => c.op)).toEqual(['Login', 'Refresh']);
    expect(calls[1].vars).toEqual({ refreshToken: 'refresh-1' });
    expect(auth.token()).toBe('access-2');
    await vi.advanceTimersByTimeAsync(14 * 60_000 + 1);
    expect(calls[2]).toEqual({ op: 'Refresh', vars: { refreshToken: 'refresh-2' } });
  });

  it('logout forgets the tokens and revokes the refresh token', async () => {
    const { client, calls } = fakeClient();
    const auth = new AuthStore();
    auth.attach(client);
    const seen: (string | null)[] = [];
    auth.subscribe((s) => seen.push(s?.accessToken ?? null));
    await auth.register({ email: 'a@dizhtime.test', password: 'pw', name: 'A' });
    await auth.logout();
    expect(auth.current).toBeNull();
    expect(seen).toEqual(['access-1', null]);
    expect(calls[1]).toEqual({ op: 'Logout', vars: { refreshToken: 'refresh-1' } });
  });
});
