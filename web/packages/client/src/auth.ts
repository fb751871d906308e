// Auth against identity's GraphQL API through the router: register, login, refresh, logout.
// Tokens live in memory only (never localStorage: a script injected into the page cannot
// read what was never stored); the access token is refreshed a minute before it expires
// with the single-use refresh token. Reloading the page signs the user out.
import type { Client } from 'urql';
import { graphql } from './gql';

const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    refreshToken
    refreshTokenExpiresAt
    user { id name email roles }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }
`);
export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }
`);
export const RefreshMutation = graphql(`
  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }
`);
export const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }
`);
void AuthFields;

export interface SessionUser {
  id: string;
  name: string;
  email?: string | null;
  roles: string[];
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  user: SessionUser;
}

interface Payload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: SessionUser;
}

type Listener = (s: Session | null) => void;

/** AuthStore holds the session in memory and keeps its access token fresh. */
export class AuthStore {
  private session: Session | null = null;
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private client: Client | undefined;
  /** refreshMarginMs: how long before expiry the access token is renewed. */
  constructor(private refreshMarginMs = 60_000) {}

  attach(client: Client) {
    this.client = client;
  }

  get current(): Session | null {
    return this.session;
  }

  token(): string | null {
    return this.session?.accessToken ?? null;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(p: Payload | null) {
    clearTimeout(this.timer);
    this.session = p && {
      accessToken: p.accessToken,
      accessTokenExpiresAt: Date.parse(p.accessTokenExpiresAt),
      refreshToken: p.refreshToken,
      user: p.user,
    };
    if (this.session) {
      const wait = Math.max(5_000, this.session.accessTokenExpiresAt - Date.now() - this.refreshMarginMs);
      this.timer = setTimeout(() => void this.refresh().catch(() => this.set(null)), wait);
    }
    for (const l of this.listeners) l(this.session);
  }

  private need(): Client {
    if (!this.client) throw new Error('AuthStore is not attached to a client');
    return this.client;
  }

  async register(input: { email: string; password: string; name: string; phone?: string }) {
    const r = await this.need().mutation(RegisterMutation, { input }).toPromise();
    if (r.error) throw r.error;
    this.set(r.data!.register as Payload);
  }

  async login(email: string, password: string) {
    const r = await this.need().mutation(LoginMutation, { email, password }).toPromise();
    if (r.error) throw r.error;
    this.set(r.data!.login as Payload);
  }

  /** refresh trades the single-use refresh token for a new pair. */
  async refresh() {
    const s = this.session;
    if (!s) return;
    const r = await this.need().mutation(RefreshMutation, { refreshToken: s.refreshToken }).toPromise();
    if (r.error) throw r.error;
    this.set(r.data!.refresh as Payload);
  }

  async logout() {
    const s = this.session;
    this.set(null);
    if (s) await this.need().mutation(LogoutMutation, { refreshToken: s.refreshToken }).toPromise();
  }
}
