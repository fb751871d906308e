import { useState, type FormEvent } from 'react';
import { auth } from './env';

function message(e: unknown): string {
  const err = e as { graphQLErrors?: { message: string; extensions?: { code?: string } }[]; message?: string };
  const g = err.graphQLErrors?.[0];
  if (g) return g.extensions?.code === 'CONFLICT' ? 'That email already has an account: sign in instead.' : g.message;
  return err.message ?? String(e);
}

export function SignIn() {
  const [mode, setMode] = useState<'in' | 'up'>('up');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      if (mode === 'up') await auth.register({ email, password, name });
      else await auth.login(email, password);
      location.hash = '#/';
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="auth-title" className="card">
      <h1 id="auth-title">{mode === 'up' ? 'Create your account' : 'Sign in'}</h1>
      <form onSubmit={submit}>
        {mode === 'up' && (
          <label>
            Name
            <input name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'up' ? 'new-password' : 'current-password'}
            minLength={8}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'up' ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <button type="button" className="link" onClick={() => setMode(mode === 'up' ? 'in' : 'up')}>
        {mode === 'up' ? 'I have an account: sign in' : 'New here? Create an account'}
      </button>
    </section>
  );
}
