// The delivery's steps and the simulated route's geometry.
export interface Pt {
  lat: number;
  lng: number;
}

export type StepMutation =
  | 'markEnrouteToPickup'
  | 'markArrivedAtPickup'
  | 'markPickedUp'
  | 'markEnrouteToDropoff'
  | 'markArrivedAtDropoff'
  | 'markDelivered';

export const stepLabels: Record<string, string> = {
  CONFIRMED: 'Accepted',
  ENROUTE_TO_PICKUP: 'On the way to the restaurant',
  ARRIVED_AT_PICKUP: 'At the restaurant',
  PICKED_UP: 'Picked up',
  ENROUTE_TO_DROPOFF: 'On the way to the customer',
  ARRIVED_AT_DROPOFF: 'At the customer',
  DELIVERED: 'Delivered',
};

const next: Record<string, { mutation: StepMutation; label: string }> = {
  CONFIRMED: { mutation: 'markEnrouteToPickup', label: 'Head to the restaurant' },
  ENROUTE_TO_PICKUP: { mutation: 'markArrivedAtPickup', label: 'Arrived at the restaurant' },
  ARRIVED_AT_PICKUP: { mutation: 'markPickedUp', label: 'Picked up the order' },
  PICKED_UP: { mutation: 'markEnrouteToDropoff', label: 'Head to the customer' },
  ENROUTE_TO_DROPOFF: { mutation: 'markArrivedAtDropoff', label: 'Arrived at the customer' },
  ARRIVED_AT_DROPOFF: { mutation: 'markDelivered', label: 'Delivered' },
};

/** nextStep is the courier's next action for a delivery status (none once delivered). */
export function nextStep(status: string): { mutation: StepMutation; label: string } | null {
  return next[status] ?? null;
}

/** distanceMeters: haversine on a 6 371 km sphere. */
export function distanceMeters(a: Pt, b: Pt): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLng = (b.lng - a.lng) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** moveToward goes at most stepMeters from a toward b (arriving exactly when closer). */
export function moveToward(a: Pt, b: Pt, stepMeters: number): Pt {
  const d = distanceMeters(a, b);
  if (d <= stepMeters || d === 0) return { lat: b.lat, lng: b.lng };
  const f = stepMeters / d;
  return { lat: a.lat + (b.lat - a.lat) * f, lng: a.lng + (b.lng - a.lng) * f };
}
