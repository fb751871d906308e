import { describe, expect, it } from 'vitest';
import { distanceMeters, moveToward, nextStep } from './route';

describe('the courier route', () => {
  it('walks the delivery steps in order and ends at delivered', () => {
    const seen: string[] = [];
    for (const s of ['CONFIRMED', 'ENROUTE_TO_PICKUP', 'ARRIVED_AT_PICKUP', 'PICKED_UP', 'ENROUTE_TO_DROPOFF', 'ARRIVED_AT_DROPOFF']) {
      seen.push(nextStep(s)!.mutation);
    }
    expect(seen).toEqual(['markEnrouteToPickup', 'markArrivedAtPickup', 'markPickedUp', 'markEnrouteToDropoff', 'markArrivedAtDropoff', 'markDelivered']);
    expect(nextStep('DELIVERED')).toBeNull();
  });
  it('moves a bounded step toward the target and arrives exactly', () => {
    const a = { lat: 41.3, lng: 69.28 };
    const b = { lat: 41.31, lng: 69.28 }; // ~1 112 m north
    expect(Math.round(distanceMeters(a, b))).toBe(1112);
    const p = moveToward(a, b, 100);
    expect(Math.round(distanceMeters(a, p))).toBe(100);
    expect(moveToward(p, b, 5000)).toEqual(b);
  });
});
