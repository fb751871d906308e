// Sign-in and session hooks of the operations apps' screens (accounts are made
// elsewhere: couriers, owners and admins get their roles from an admin).
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { auth, connectivity } from './env';

export function useSession() {
  return useSyncExternalStore((l) => auth.subscribe(l), () => auth.current);
}

export function useConnectivity() {
  return useSyncExternalStore((l) => connectivity.subscribe(l), () => connectivity.state);
}

interface GqlError {
  message: string;
  extensions?: { code?: string; errors?: GqlError[] };
}

/** innermost: the subgraph's own error when the router wrapped it ("Failed to fetch from Subgraph"). */
function innermost(g: GqlError): GqlError {
  const inner = g.extensions?.errors?.[0];
  return inner ? innermost(inner) : g;
}

/** errorCode is the error's extensions.code, the subgraph's own when the router wrapped it. */
export function errorCode(e: unknown): string | undefined {
  const g = (e as { graphQLErrors?: GqlError[] })?.graphQLErrors?.[0];
  return g ? innermost(g).extensions?.code ?? g.extensions?.code : undefined;
}

/** errorText is a GraphQL error's message (with its code) or a network error's. */
export function errorText(e: unknown): string {
  const err = e as { graphQLErrors?: GqlError[]; message?: string };
  const g0 = err?.graphQLErrors?.[0];
  if (g0) {
    const g = innermost(g0);
    return g.extensions?.code ? `${g.message} (${g.extensions.code})` : g.message;
  }
  return err?.message ?? String(e);
}

export function SignIn({ title }: { title: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await auth.login(email, password);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="auth-title" className="card">
      <h1 id="auth-title">{title}</h1>
      <form onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}

export function ConnectivityBanner() {
  const conn = useConnectivity();
  if (conn === 'online') return null;
  return (
    <div role="status" className={`banner ${conn}`} data-testid="connectivity">
      {conn === 'offline' ? 'You are offline: live updates resume when the connection is back.' : 'Connecting to live updates…'}
    </div>
  );
}

/** useCountdown is the whole seconds left until an RFC 3339 instant (0 once past), ticking. */
export function useCountdown(until: string | null | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!until) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [until]);
  if (!until) return 0;
  return Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
}
