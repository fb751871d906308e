import { useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney } from '@dizhtime/client';
import { TopUp, useWallet } from './wallet';

const MyOrders = graphql(`
  query MyOrders {
    me {
      id
      orders(first: 20) {
        edges { node { id status placedAt total { amountMinor currency } restaurant { id name } } }
      }
    }
  }
`);

export function OrdersPage() {
  const [res] = useQuery({ query: MyOrders, requestPolicy: 'cache-and-network' });
  const edges = res.data?.me?.orders.edges ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      {res.error && <p role="alert" className="error">{res.error.message}</p>}
      {edges.length === 0 && !res.fetching && <p>No orders yet.</p>}
      <ul className="results">
        {edges.map(({ node }) => (
          <li key={node.id}>
            <a className="result" href={`#/orders/${node.id}`}>
              <strong>{node.restaurant.name}</strong>
              <span>
                {node.status.toLowerCase().replace(/_/g, ' ')} · {formatMoney(node.total)} · {new Date(node.placedAt).toLocaleString()}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function WalletPage() {
  const [res, refetch] = useWallet(50);
  const w = res.data?.wallet;
  return (
    <section aria-labelledby="wallet-title">
      <h1 id="wallet-title">Your wallet</h1>
      {res.error && <p role="alert" className="error">{res.error.message}</p>}
      <p data-testid="wallet-balances">
        {w && w.balances.length > 0 ? w.balances.map((b) => formatMoney(b)).join(' · ') : formatMoney({ amountMinor: 0, currency: 'UZS' })}
        {' · '}
        {w?.loyaltyPoints ?? '0'} points
      </p>
      <TopUp currency="UZS" onCredited={() => refetch({ requestPolicy: 'network-only' })} />
      <h2>History</h2>
      <ul className="results" aria-label="Wallet history">
        {w?.transactions.edges.map(({ node }) => (
          <li key={node.id}>
            <span>
              {node.kind.toLowerCase().replace(/_/g, ' ')} {formatMoney(node.amount)} · {new Date(node.createdAt).toLocaleString()}
              {node.orderId && (
                <>
                  {' · '}
                  <a href={`#/orders/${node.orderId}`}>order</a>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
