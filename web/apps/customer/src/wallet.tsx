import { useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { formatMoney, parseMoney } from '@dizhtime/client';
import { useSession } from './hooks';

export const WalletQuery = graphql(`
  query MyWallet($userId: ID!, $first: Int) {
    wallet(userId: $userId) {
      userId
      loyaltyPoints
      balances { amountMinor currency }
      transactions(first: $first) {
        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }
      }
    }
  }
`);

const TopUpMutation = graphql(`
  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {
    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }
  }
`);

const TopUpIntent = graphql(`
  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }
`);

export function useWallet(first = 20) {
  const s = useSession();
  return useQuery({ query: WalletQuery, variables: { userId: s?.user.id ?? '', first }, pause: !s });
}

export function balanceOf(w: { balances: { amountMinor: string; currency: string }[] } | null | undefined, currency: string): bigint {
  const b = w?.balances.find((x) => x.currency === currency);
  return b ? BigInt(b.amountMinor) : 0n;
}

/** TopUp starts a gateway top-up and watches the wallet until the gateway's webhook credits it. */
export function TopUp({ currency, onCredited }: { currency: string; onCredited: () => void }) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const [, topUp] = useMutation(TopUpMutation);
  const [, refetch] = useWallet();
  const client = useClient();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const minor = parseMoney(text, currency);
    if (minor === null || minor <= 0n) {
      setStatus(`Enter an amount in ${currency}, like 100 or 100.50`);
      return;
    }
    setStatus('Contacting the payment gateway…');
    const r = await topUp({ amount: { amountMinor: minor.toString(), currency }, key: crypto.randomUUID() });
    if (r.error) return setStatus(r.error.message);
    const intent = r.data!.topUp;
    if (intent.status === 'DECLINED') return setStatus(`Declined: ${intent.declineReason ?? 'no reason given'}`);
    setStatus(`Top-up of ${formatMoney(intent.amount)} ${intent.status.toLowerCase()}…`);
    // The gateway's signed webhook settles the intent a moment later: follow it, then re-read the wallet.
    let state: string = intent.status;
    for (let i = 0; state === 'PENDING' && i < 60; i++) {
      await new Promise((res) => setTimeout(res, 500));
      const q = await client.query(TopUpIntent, { id: intent.id }, { requestPolicy: 'network-only' }).toPromise();
      if (q.error) return setStatus(q.error.message);
      state = q.data?.topUpIntent?.status ?? state;
      if (state === 'DECLINED') return setStatus(`Declined: ${q.data?.topUpIntent?.declineReason ?? 'no reason given'}`);
    }
    setStatus(state === 'SUCCEEDED' ? `Top-up of ${formatMoney(intent.amount)} credited.` : 'The gateway has not confirmed the top-up yet.');
    refetch({ requestPolicy: 'network-only' });
    onCredited();
  }
  return (
    <form onSubmit={submit} className="topup" aria-label="Top up">
      <label>
        Top-up amount ({currency})
        <input name="topup" inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit">Top up</button>
      {status && <p aria-live="polite">{status}</p>}
    </form>
  );
}
