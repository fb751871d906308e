// The admin portal's users and roles: accounts searched by the start of their email or
// name and filtered by role (the users connection, paged with "More"), each opening to
// its detail (App.tsx's Users, shown above: the heading, lookup by id, and the roles
// granted and revoked there) and the audit of its
// role changes: who granted or revoked what, and when.
import { useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { errorText } from '@dizhtime/ops';

const AdminUsers = graphql(`
  query AdminUsers($s: String, $r: Role, $n: Int, $a: String) {
    users(search: $s, role: $r, first: $n, after: $a) {
      edges { cursor node { id name email roles disabled } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
const AdminRoleChanges = graphql(`
  query AdminRoleChanges($u: ID!) { roleChanges(userId: $u, first: 20) { role change at actor { id name } } }
`);
const roleNames = ['CUSTOMER', 'DRIVER', 'RESTAURANT_STAFF', 'RESTAURANT_OWNER', 'ADMIN'] as const;
type RoleName = (typeof roleNames)[number];
const pageSize = 20;

export function UsersPage({ id, children }: { id?: string; children?: ReactNode }) {
  const [text, setText] = useState('');
  const [role, setRole] = useState<'' | RoleName>('');
  const [query, setQuery] = useState<{ s: string; r: '' | RoleName }>({ s: '', r: '' });
  const [after, setAfter] = useState<string[]>([]); // cursors of the pages loaded after the first
  return (
    <>
      {children}
      <form className="row card" role="search" onSubmit={(e) => { e.preventDefault(); setAfter([]); setQuery({ s: text.trim(), r: role }); }}>
        <label>
          Email or name starts with
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as '' | RoleName)}>
            <option value="">Any role</option>
            {roleNames.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit">Search users</button>
      </form>
      <section aria-labelledby="users-title" className="card">
        <h2 id="users-title">Accounts</h2>
        <table data-testid="users">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Roles</th><th scope="col">Status</th></tr>
          </thead>
          {[undefined, ...after].map((a) => (
            <UsersRows key={a ?? 'first'} s={query.s} r={query.r} after={a} onMore={(c) => setAfter([...after, c])} last={a === after.at(-1) || (a === undefined && after.length === 0)} />
          ))}
        </table>
      </section>
      {id && <RoleAudit id={id} />}
    </>
  );
}

function UsersRows({ s, r, after, last, onMore }: { s: string; r: '' | RoleName; after?: string; last: boolean; onMore: (cursor: string) => void }) {
  const [{ data, error, fetching }] = useQuery({
    query: AdminUsers, variables: { s: s || null, r: r || null, n: pageSize, a: after ?? null }, requestPolicy: 'network-only',
  });
  const edges = data?.users.edges ?? [];
  return (
    <tbody>
      {error && <tr><td colSpan={4} role="alert" className="error">{errorText(error)}</td></tr>}
      {!fetching && !error && edges.length === 0 && !after && <tr><td colSpan={4} className="muted">No account matches.</td></tr>}
      {edges.map(({ node: u }) => (
        <tr key={u.id}>
          <td><a href={`#/users/${u.id}`}>{u.name}</a></td>
          <td>{u.email}</td>
          <td>{u.roles.join(', ')}</td>
          <td>{u.disabled ? 'disabled' : 'active'}</td>
        </tr>
      ))}
      {last && data?.users.pageInfo.hasNextPage && data.users.pageInfo.endCursor && (
        <tr><td colSpan={4}><button type="button" className="secondary" onClick={() => onMore(data.users.pageInfo.endCursor!)}>More accounts</button></td></tr>
      )}
    </tbody>
  );
}

function RoleAudit({ id }: { id: string }) {
  const [{ data, error }] = useQuery({ query: AdminRoleChanges, variables: { u: id }, requestPolicy: 'network-only' });
  const changes = data?.roleChanges ?? [];
  return (
    <section aria-labelledby="audit-roles-title" className="card">
      <h2 id="audit-roles-title">Role changes</h2>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      {!error && changes.length === 0 && <p className="muted">No role changes recorded.</p>}
      <ul data-testid="role-changes">
        {changes.map((c, i) => (
          <li key={i}>
            {new Date(c.at).toLocaleString()}: {c.change === 'DISABLED' ? 'account disabled' : `${c.role} ${c.change.toLowerCase()}`} by {c.actor.name}
          </li>
        ))}
      </ul>
    </section>
  );
}
