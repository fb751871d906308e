// Dead-letter queues: the events consumers gave up on, per topic (<topic>.dlq), with why,
// to inspect, replay to their original topic (once: consumers skip an event id they
// applied) or discard. Analytics serves it, reading Kafka.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@dizhtime/client/gql';
import { errorText } from '@dizhtime/ops';

const AdminDeadLetterTopics = graphql(`
  query AdminDeadLetterTopics { deadLetterTopics { name originalTopic count pending oldestFailedAt newestFailedAt } }
`);
const AdminDeadLetters = graphql(`
  query AdminDeadLetters($topic: String!, $first: Int, $after: String) {
    deadLetters(topic: $topic, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id originalTopic originalPartition originalOffset key eventId eventType consumerGroup error attempts failedAt
          payloadPreview replayState actedAt actedBy
        }
      }
    }
  }
`);
const AdminReplayDeadLetter = graphql(`
  mutation AdminReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }
`);
const AdminReplayDeadLetters = graphql(`
  mutation AdminReplayDeadLetters($topic: String!) { replayDeadLetters(topic: $topic) { republished alreadyReplayed } }
`);
const AdminDiscardDeadLetter = graphql(`
  mutation AdminDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id replayState } }
`);

const pageSize = 20;

function when(t?: string | null): string {
  return t ? new Date(t).toLocaleString() : '—';
}

/** DeadLetters is the #/dead-letters screen; topic (the route's second part) opens one topic. */
export function DeadLetters({ topic }: { topic?: string }) {
  const [showEmpty, setShowEmpty] = useState(false);
  const [{ data, error, fetching }, refresh] = useQuery({ query: AdminDeadLetterTopics, requestPolicy: 'network-only' });
  const topics = (data?.deadLetterTopics ?? []).filter((t) => showEmpty || t.count > 0 || t.name === topic);
  return (
    <div className="columns">
      <section aria-labelledby="dlq-title" className="card">
        <h1 id="dlq-title">Dead-letter queues</h1>
        <p className="muted">Events a consumer gave up on after its retries. Fix the cause, then replay them: a consumer that applied an event already skips it.</p>
        <p>
          <button type="button" disabled={fetching} onClick={() => refresh({ requestPolicy: 'network-only' })}>
            {fetching ? 'Loading…' : 'Refresh'}
          </button>{' '}
          <label>
            <input type="checkbox" checked={showEmpty} onChange={(e) => setShowEmpty(e.target.checked)} /> Show empty topics
          </label>
        </p>
        {error && <p role="alert" className="error">{errorText(error)}</p>}
        {data && topics.length === 0 && <p data-testid="dlq-none">No dead letters. Every consumer is keeping up.</p>}
        {topics.length > 0 && (
          <table data-testid="dlq-topics">
            <caption className="muted">Dead-letter topics</caption>
            <thead>
              <tr><th scope="col">Topic</th><th scope="col">Letters</th><th scope="col">Pending</th><th scope="col">Oldest</th><th scope="col">Newest</th></tr>
            </thead>
            <tbody>
              {topics.map((t) => (
                <tr key={t.name} aria-current={t.name === topic ? 'true' : undefined}>
                  <td><a href={`#/dead-letters/${encodeURIComponent(t.name)}`}>{t.name}</a></td>
                  <td>{t.count}</td>
                  <td>{t.pending}</td>
                  <td>{when(t.oldestFailedAt)}</td>
                  <td>{when(t.newestFailedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {topic && <TopicLetters key={topic} topic={topic} onChange={() => refresh({ requestPolicy: 'network-only' })} />}
    </div>
  );
}

function TopicLetters({ topic, onChange }: { topic: string; onChange: () => void }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [{ data, error, fetching }, refresh] = useQuery({
    query: AdminDeadLetters,
    variables: { topic, first: pageSize, after },
    requestPolicy: 'network-only',
  });
  const [replayOne, replay] = useMutation(AdminReplayDeadLetter);
  const [replayAllState, replayAll] = useMutation(AdminReplayDeadLetters);
  const [discardState, discard] = useMutation(AdminDiscardDeadLetter);
  const [said, setSaid] = useState('');
  const busy = replayOne.fetching || replayAllState.fetching || discardState.fetching;
  const actionError = replayOne.error ?? replayAllState.error ?? discardState.error;
  const conn = data?.deadLetters;
  const reload = () => {
    refresh({ requestPolicy: 'network-only' });
    onChange();
  };
  async function act(what: Promise<{ data?: unknown; error?: unknown }>, tell: (d: never) => string) {
    const r = await what;
    if (!r.error && r.data) setSaid(tell(r.data as never));
    reload();
  }
  const told = (x: { republished: number; alreadyReplayed: number }) =>
    `Replayed ${x.republished} letter${x.republished === 1 ? '' : 's'}` + (x.alreadyReplayed ? `; ${x.alreadyReplayed} had been replayed already.` : '.');
  return (
    <section aria-labelledby="dlq-topic-title" className="card">
      <h2 id="dlq-topic-title">{topic}</h2>
      <p>
        <button
          type="button"
          disabled={busy || !conn?.totalCount}
          onClick={() => void act(replayAll({ topic }), (d: { replayDeadLetters: { republished: number; alreadyReplayed: number } }) => told(d.replayDeadLetters))}
        >
          Replay every pending letter
        </button>
      </p>
      <p role="status" data-testid="dlq-said">{said}</p>
      {(error || actionError) && <p role="alert" className="error">{errorText(error ?? actionError)}</p>}
      {fetching && !conn && <p>Loading…</p>}
      {conn && (
        <>
          <p className="muted" data-testid="dlq-total">{conn.totalCount} letter{conn.totalCount === 1 ? '' : 's'} kept</p>
          <ul className="letters" data-testid="dlq-letters">
            {conn.edges.map(({ node: l }) => (
              <li key={l.id} data-testid="dlq-letter" data-event-id={l.eventId ?? ''}>
                <article aria-label={`Dead letter ${l.eventType ?? ''} ${l.eventId ?? l.id}`}>
                  <h3>
                    {l.eventType ?? 'unreadable message'} <span className={`state ${l.replayState}`}>{l.replayState}</span>
                  </h3>
                  <dl>
                    <dt>Event</dt><dd>{l.eventId ?? '—'}</dd>
                    <dt>From</dt><dd>{l.originalTopic} partition {l.originalPartition} offset {l.originalOffset} (key {l.key || '—'})</dd>
                    <dt>Consumer</dt><dd>{l.consumerGroup}</dd>
                    <dt>Failed</dt><dd>{when(l.failedAt)} after {l.attempts} attempt{l.attempts === 1 ? '' : 's'}</dd>
                    <dt>Error</dt><dd className="error-text">{l.error}</dd>
                    {l.actedAt && (<><dt>{l.replayState === 'REPLAYED' ? 'Replayed' : 'Acted'}</dt><dd>{when(l.actedAt)} by {l.actedBy ?? '—'}</dd></>)}
                  </dl>
                  <details>
                    <summary>Payload</summary>
                    <pre tabIndex={0} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{l.payloadPreview}</pre>
                  </details>
                  <button
                    type="button"
                    disabled={busy || l.replayState !== 'PENDING'}
                    onClick={() => void act(replay({ id: l.id }), (d: { replayDeadLetter: { republished: number; alreadyReplayed: number } }) => told(d.replayDeadLetter))}
                  >
                    Replay
                  </button>{' '}
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm(`Discard the dead letter ${l.eventId ?? l.id}? It will never be replayed.`)) {
                        void act(discard({ id: l.id }), () => `Discarded ${l.eventId ?? l.id}.`);
                      }
                    }}
                  >
                    Discard
                  </button>
                </article>
              </li>
            ))}
          </ul>
          <p>
            {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>}{' '}
            {conn.pageInfo.hasNextPage && conn.pageInfo.endCursor && (
              <button type="button" onClick={() => setCursors([...cursors, conn.pageInfo.endCursor!])}>Next page</button>
            )}
          </p>
        </>
      )}
    </section>
  );
}
