// Where a resumable subscription resumes: the sequence each event carries, which the client
// writes into the `since` it sends again on reconnect (the browser test drops the socket and
// checks the resumed subscription's since and that no transition arrives twice).
import { describe, expect, it } from 'vitest';
import { resumeSequence } from './client';

describe('resumeSequence', () => {
  it("reads orderUpdated's transition sequence", () => {
    expect(resumeSequence({ orderUpdated: { transition: { sequence: 4, to: 'PREPARING' }, order: { id: 'o1' } } })).toBe(4);
  });
  it("reads myNotifications' own sequence", () => {
    expect(resumeSequence({ myNotifications: { sequence: 17, title: 'Delivered' } })).toBe(17);
  });
  it('is null for an event without a sequence, or no event', () => {
    expect(resumeSequence({ deliveryTracking: { orderId: 'o1', etaSeconds: 60 } })).toBeNull();
    expect(resumeSequence({ orderUpdated: null })).toBeNull();
    expect(resumeSequence(undefined)).toBeNull();
    expect(resumeSequence({ orderUpdated: { transition: { sequence: '4' } } })).toBeNull();
  });
});
