// The dead-letter screen with a client answering from fixed responses: what is under test is
// the screen (the topics, a letter's details, which buttons replay and discard what), not
// the API (platform/city's TestWebDeadLetters drives the built app against the platform).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Provider, type Client } from 'urql';
import { fromValue, never } from 'wonka';
import { DeadLetters } from './DeadLetters';

vi.mock('@dizhtime/ops', () => ({ errorText: (e: unknown) => String(e) }));

afterEach(cleanup);

type Op = { query: { definitions: { name?: { value: string } }[] }; variables: Record<string, unknown> };
const nameOf = (op: Op) => op.query.definitions.find((d) => d.name)?.name?.value ?? '';

function clientAnswering(data: Record<string, unknown>, mutations: { name: string; variables: unknown }[]): Client {
  return {
    executeQuery: (op: Op) => (nameOf(op) in data ? fromValue({ operation: op, data: data[nameOf(op)], stale: false, hasNext: false }) : never),
    executeMutation: (op: Op) => {
      mutations.push({ name: nameOf(op), variables: op.variables });
      return fromValue({ operation: op, data: data[nameOf(op)], stale: false, hasNext: false });
    },
    executeSubscription: () => never,
  } as unknown as Client;
}

const topics = {
  deadLetterTopics: [
    { __typename: 'DeadLetterTopic', name: 'notification.requested.dlq', originalTopic: 'notification.requested', count: 2, pending: 1, oldestFailedAt: '2026-12-07T04:00:00Z', newestFailedAt: '2026-12-07T04:05:00Z' },
    { __typename: 'DeadLetterTopic', name: 'order.created.dlq', originalTopic: 'order.created', count: 0, pending: 0, oldestFailedAt: null, newestFailedAt: null },
  ],
};
const letter = (id: string, eventId: string, replayState: string) => ({
  node: {
    __typename: 'DeadLetter', id, originalTopic: 'notification.requested', originalPartition: 1, originalOffset: '41', key: 'user-7',
    eventId, eventType: 'notification.requested', consumerGroup: 'notifications.notification.requested',
    error: 'violates check constraint', attempts: 5, failedAt: '2026-12-07T04:00:00Z', payloadPreview: `{"id":"${eventId}"}`,
    replayState, actedAt: replayState === 'PENDING' ? null : '2026-12-07T04:10:00Z', actedBy: replayState === 'PENDING' ? null : 'admin-1',
  },
});
const letters = {
  deadLetters: {
    totalCount: 2,
    pageInfo: { hasNextPage: false, endCursor: 'notification.requested.dlq/0/1' },
    edges: [letter('notification.requested.dlq/0/0', 'ev-1', 'PENDING'), letter('notification.requested.dlq/0/1', 'ev-2', 'REPLAYED')],
  },
};

describe('DeadLetters', () => {
  it('lists the topics with letters, and shows the empty ones on request', () => {
    render(
      <Provider value={clientAnswering({ AdminDeadLetterTopics: topics }, [])}>
        <DeadLetters />
      </Provider>,
    );
    const table = screen.getByTestId('dlq-topics');
    expect(within(table).getByRole('link', { name: 'notification.requested.dlq' }).getAttribute('href')).toBe('#/dead-letters/notification.requested.dlq');
    expect(within(table).queryByText('order.created.dlq')).toBeNull();
    fireEvent.click(screen.getByLabelText('Show empty topics'));
    expect(within(screen.getByTestId('dlq-topics')).getByText('order.created.dlq')).toBeTruthy();
  });

  it('shows a topic\'s letters; only a pending one can be replayed; replay and discard name the letter', async () => {
    const mutations: { name: string; variables: unknown }[] = [];
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    render(
      <Provider
        value={clientAnswering(
          {
            AdminDeadLetterTopics: topics,
            AdminDeadLetters: letters,
            AdminReplayDeadLetter: { replayDeadLetter: { republished: 1, alreadyReplayed: 0 } },
            AdminDiscardDeadLetter: { discardDeadLetter: { id: 'notification.requested.dlq/0/1', replayState: 'DISCARDED' } },
          },
          mutations,
        )}
      >
        <DeadLetters topic="notification.requested.dlq" />
      </Provider>,
    );
    const [pending, replayed] = screen.getAllByTestId('dlq-letter');
    expect(pending.getAttribute('data-event-id')).toBe('ev-1');
    expect(within(pending).getByText(/notification.requested partition 1 offset 41/)).toBeTruthy();
    expect(within(pending).getByText('violates check constraint')).toBeTruthy();
    expect((within(replayed).getByRole('button', { name: 'Replay' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('dlq-total').textContent).toBe('2 letters kept');

    fireEvent.click(within(pending).getByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Replayed 1 letter.')).toBeTruthy();
    fireEvent.click(within(replayed).getByRole('button', { name: 'Discard' }));
    expect(await screen.findByText('Discarded ev-2.')).toBeTruthy();
    expect(confirm).toHaveBeenCalledOnce();
    expect(mutations).toEqual([
      { name: 'AdminReplayDeadLetter', variables: { id: 'notification.requested.dlq/0/0' } },
      { name: 'AdminDiscardDeadLetter', variables: { id: 'notification.requested.dlq/0/1' } },
    ]);
  });
});
