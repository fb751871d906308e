/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /**
   * A signed 64-bit integer, serialized as a decimal string ("123456789012") because GraphQL
   * Int is 32-bit and JSON numbers lose precision past 2^53 in JavaScript. Input accepts the
   * string or a JSON integer.
   */
  Int64: { input: string; output: string; }
  openfed__Scope: { input: string; output: string; }
};

export type Address = {
  __typename?: 'Address';
  city: Scalars['String']['output'];
  country?: Maybe<Scalars['String']['output']>;
  line1: Scalars['String']['output'];
  line2?: Maybe<Scalars['String']['output']>;
  postalCode?: Maybe<Scalars['String']['output']>;
};

export type AddressInput = {
  city: Scalars['String']['input'];
  country?: InputMaybe<Scalars['String']['input']>;
  line1: Scalars['String']['input'];
  line2?: InputMaybe<Scalars['String']['input']>;
  postalCode?: InputMaybe<Scalars['String']['input']>;
};

/** A step of a time series, in the range's time zone (weeks start on Monday). */
export type AnalyticsBucket =
  | 'DAY'
  | 'HOUR'
  | 'WEEK';

/**
 * The time range and scope of a dashboard query. Orders count in the range they were placed
 * in. Admins may leave restaurantIds out (the whole platform); a restaurant owner must name
 * restaurants it owns.
 */
export type AnalyticsRange = {
  /** RFC 3339, inclusive */
  from: Scalars['String']['input'];
  restaurantIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** IANA time zone of the buckets, e.g. Asia/Tashkent (default UTC) */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** RFC 3339, exclusive */
  to: Scalars['String']['input'];
};

/** Tokens for a signed-in session. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** Short-lived EdDSA JWT for the Authorization header. */
  accessToken: Scalars['String']['output'];
  accessTokenExpiresAt: Scalars['String']['output'];
  /** Single-use: refresh returns a new one; reusing an old one ends the session. */
  refreshToken: Scalars['String']['output'];
  refreshTokenExpiresAt: Scalars['String']['output'];
  user: User;
};

export type BBoxInput = {
  maxLat: Scalars['Float']['input'];
  maxLng: Scalars['Float']['input'];
  minLat: Scalars['Float']['input'];
  minLng: Scalars['Float']['input'];
};

/** Cancellations and refunds among the orders placed in the range. */
export type CancellationAndRefundRates = {
  __typename?: 'CancellationAndRefundRates';
  cancellationRate: Scalars['Float']['output'];
  /** ended cancelled, rejected, payment_failed or delivery_failed */
  cancelled: Scalars['Int']['output'];
  placed: Scalars['Int']['output'];
  refundRate: Scalars['Float']['output'];
  refunded: Scalars['Int']['output'];
  refundedMinor: Scalars['Int64']['output'];
};

/** What a courier earned over a period in one currency. */
export type CourierEarnings = {
  __typename?: 'CourierEarnings';
  amount: WalletMoney;
  /** How many orders the earnings came from. */
  orders: Scalars['Int']['output'];
};

export type CreateRestaurantInput = {
  address: AddressInput;
  cuisines: Array<Scalars['String']['input']>;
  currency: Scalars['String']['input'];
  description?: InputMaybe<Scalars['String']['input']>;
  location: GeoPointInput;
  name: Scalars['String']['input'];
  openingHours: OpeningHoursInput;
  /** ADMIN only: create the restaurant for this user (default: the caller). */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  prepTimeMinutes: Scalars['Int']['input'];
  priceLevel: Scalars['Int']['input'];
};

export type DayHours = {
  __typename?: 'DayHours';
  day: Weekday;
  /** Ranges starting on this day; close before open runs past midnight (18:00-02:00). */
  ranges: Array<TimeRange>;
};

export type DayHoursInput = {
  day: Weekday;
  ranges: Array<TimeRangeInput>;
};

/** An event a consumer could not apply, parked on its topic's dead-letter topic. */
export type DeadLetter = {
  __typename?: 'DeadLetter';
  /** RFC 3339: when it was replayed or discarded */
  actedAt?: Maybe<Scalars['String']['output']>;
  /** the admin who replayed or discarded it */
  actedBy?: Maybe<Scalars['ID']['output']>;
  /** how many times it tried (0: refused at once, e.g. undecodable) */
  attempts: Scalars['Int']['output'];
  /** the consumer group that gave up */
  consumerGroup: Scalars['String']['output'];
  /** why it gave up (the last error) */
  error: Scalars['String']['output'];
  eventId?: Maybe<Scalars['String']['output']>;
  eventType?: Maybe<Scalars['String']['output']>;
  /** RFC 3339 */
  failedAt?: Maybe<Scalars['String']['output']>;
  /** the letter's place: <dead-letter topic>/<partition>/<offset> */
  id: Scalars['ID']['output'];
  /** the message key (the aggregate id) */
  key: Scalars['String']['output'];
  originalOffset: Scalars['Int64']['output'];
  originalPartition: Scalars['Int']['output'];
  originalTopic: Scalars['String']['output'];
  /** the start of the message (the event envelope, JSON) */
  payloadPreview: Scalars['String']['output'];
  replayState: DeadLetterReplayState;
  topic: Scalars['String']['output'];
};

export type DeadLetterConnection = {
  __typename?: 'DeadLetterConnection';
  edges: Array<DeadLetterEdge>;
  pageInfo: PageInfo;
  /** letters of the topic not discarded */
  totalCount: Scalars['Int']['output'];
};

export type DeadLetterEdge = {
  __typename?: 'DeadLetterEdge';
  cursor: Scalars['String']['output'];
  node: DeadLetter;
};

/** What a replay did. */
export type DeadLetterReplay = {
  __typename?: 'DeadLetterReplay';
  /** letters an earlier replay had sent already: left alone */
  alreadyReplayed: Scalars['Int']['output'];
  letters: Array<DeadLetter>;
  /** letters this call sent back to their topics */
  republished: Scalars['Int']['output'];
};

/** Where a dead letter stands. */
export type DeadLetterReplayState =
  /** put away: out of the lists, never replayed */
  | 'DISCARDED'
  /** parked, waiting for an admin */
  | 'PENDING'
  /** sent back to its original topic (consumers that applied it already skip it by event id) */
  | 'REPLAYED';

/**
 * A dead-letter topic (<topic>.dlq): the events of one topic that a consumer gave up on.
 * Names are logical: a stack's topic prefix is not shown.
 */
export type DeadLetterTopic = {
  __typename?: 'DeadLetterTopic';
  /** letters not discarded */
  count: Scalars['Int']['output'];
  /** e.g. notification.requested.dlq */
  name: Scalars['String']['output'];
  newestFailedAt?: Maybe<Scalars['String']['output']>;
  /** RFC 3339: the first and last time one of them failed (null when there is none) */
  oldestFailedAt?: Maybe<Scalars['String']['output']>;
  /** the topic its letters came from, where a replay sends them */
  originalTopic: Scalars['String']['output'];
  /** of those, not replayed yet */
  pending: Scalars['Int']['output'];
};

/** Taking one order from the restaurant to the customer. */
export type Delivery = {
  __typename?: 'Delivery';
  driver?: Maybe<Driver>;
  dropoff: Location;
  dropoffEta?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  order: Order;
  pickup: Location;
  /** RFC 3339; null until a courier accepts. */
  pickupEta?: Maybe<Scalars['String']['output']>;
  status: DeliveryStatus;
  timeline: Array<DeliveryTransition>;
};

export type DeliveryAddress = {
  __typename?: 'DeliveryAddress';
  city: Scalars['String']['output'];
  country?: Maybe<Scalars['String']['output']>;
  line1: Scalars['String']['output'];
  line2?: Maybe<Scalars['String']['output']>;
  postalCode?: Maybe<Scalars['String']['output']>;
};

export type DeliveryAddressInput = {
  city: Scalars['String']['input'];
  country?: InputMaybe<Scalars['String']['input']>;
  line1: Scalars['String']['input'];
  line2?: InputMaybe<Scalars['String']['input']>;
  postalCode?: InputMaybe<Scalars['String']['input']>;
};

/** A superset of DoorDash Drive's delivery states; back to CREATED when a courier unassigns. */
export type DeliveryStatus =
  | 'ARRIVED_AT_DROPOFF'
  | 'ARRIVED_AT_PICKUP'
  | 'CANCELLED'
  | 'CONFIRMED'
  | 'CREATED'
  | 'DELIVERED'
  | 'ENROUTE_TO_DROPOFF'
  | 'ENROUTE_TO_PICKUP'
  | 'PICKED_UP';

/** Delivery time of the delivered orders placed in the range, and its parts. */
export type DeliveryTimes = {
  __typename?: 'DeliveryTimes';
  /** placed -> accepted by the restaurant */
  acceptance: DurationQuantiles;
  /** picked up -> delivered */
  drive: DurationQuantiles;
  /** accepted -> ready for pickup */
  kitchen: DurationQuantiles;
  /** ready -> picked up */
  pickup: DurationQuantiles;
  /** placed -> delivered */
  total: DurationQuantiles;
};

export type DeliveryTransition = {
  __typename?: 'DeliveryTransition';
  /** driver:<id>, order:<id> or system */
  actor: Scalars['String']['output'];
  /** RFC 3339 */
  at: Scalars['String']['output'];
  from?: Maybe<DeliveryStatus>;
  to: DeliveryStatus;
};

export type DishMatch = {
  __typename?: 'DishMatch';
  dish: MenuItem;
  /** The dish name with matching words in <em></em>. */
  highlight: Scalars['String']['output'];
  name: Scalars['String']['output'];
  price: Money;
};

export type DishSearchConnection = {
  __typename?: 'DishSearchConnection';
  edges: Array<DishSearchEdge>;
  pageInfo: PageInfo;
};

export type DishSearchEdge = {
  __typename?: 'DishSearchEdge';
  cursor: Scalars['String']['output'];
  node: DishSearchHit;
};

export type DishSearchHit = {
  __typename?: 'DishSearchHit';
  dish: MenuItem;
  distanceMeters?: Maybe<Scalars['Float']['output']>;
  highlight: Scalars['String']['output'];
  name: Scalars['String']['output'];
  price: Money;
  /** Null, with a NOT_FOUND error at this path, when the restaurants subgraph does not know it (see RestaurantSearchHit.restaurant). */
  restaurant?: Maybe<Restaurant>;
};

/** A courier. The id is the courier's user id. */
export type Driver = {
  __typename?: 'Driver';
  /** The delivery the courier is carrying out (assigned, not yet delivered or cancelled): to the courier and admins; null to others. */
  currentDelivery?: Maybe<Delivery>;
  /** The offer waiting for the courier's answer (null when none or lapsed): to the courier and admins; null to others. */
  currentOffer?: Maybe<Offer>;
  /**
   * The courier's deliveries, the most recently changed first (the current one included),
   * at most first (1..100): to the courier and admins; empty to others.
   */
  deliveries: Array<Delivery>;
  id: Scalars['ID']['output'];
  lastLocation?: Maybe<Location>;
  /** RFC 3339 */
  lastSeenAt?: Maybe<Scalars['String']['output']>;
  status: DriverStatus;
  user: User;
  vehicle: Vehicle;
};


/** A courier. The id is the courier's user id. */
export type DriverDeliveriesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** One driver over a range. */
export type DriverFigures = {
  __typename?: 'DriverFigures';
  /** of those, minutes carrying an order */
  busyMinutes: Scalars['Int']['output'];
  deliveries: Scalars['Int']['output'];
  driverId: Scalars['ID']['output'];
  /** the drivers' share (the wallet's driver_bps) of the totals of the orders delivered */
  earningsMinor: Scalars['Int64']['output'];
  /** distinct minutes with a location report */
  onlineMinutes: Scalars['Int']['output'];
  /** busyMinutes / onlineMinutes */
  utilisation: Scalars['Float']['output'];
};

export type DriverPosition = {
  __typename?: 'DriverPosition';
  /** RFC 3339 */
  at: Scalars['String']['output'];
  driverId: Scalars['ID']['output'];
  location: Location;
  status: DriverStatus;
};

/** Where a courier is in the dispatch cycle. */
export type DriverStatus =
  | 'AVAILABLE'
  /** Holds one offer, waiting for the courier's answer. */
  | 'OFFERED'
  | 'OFFLINE'
  | 'ON_DELIVERY';

/** Quantiles of a duration in seconds over count orders. */
export type DurationQuantiles = {
  __typename?: 'DurationQuantiles';
  count: Scalars['Int']['output'];
  p50: Scalars['Float']['output'];
  p90: Scalars['Float']['output'];
  p99: Scalars['Float']['output'];
};

export type FacetCount = {
  __typename?: 'FacetCount';
  count: Scalars['Int']['output'];
  value: Scalars['String']['output'];
};

/** Orders that ended before delivery, by final status and reason. */
export type FunnelDropOff = {
  __typename?: 'FunnelDropOff';
  orders: Scalars['Int']['output'];
  reason: Scalars['String']['output'];
  /** cancelled, payment_failed, rejected or delivery_failed */
  status: Scalars['String']['output'];
};

/** A WGS84 position; a value type other subgraphs define identically. */
export type GeoPoint = {
  __typename?: 'GeoPoint';
  lat: Scalars['Float']['output'];
  lng: Scalars['Float']['output'];
};

export type GeoPointInput = {
  lat: Scalars['Float']['input'];
  lng: Scalars['Float']['input'];
};

/** The admin dashboard's live figures. */
export type LiveMetrics = {
  __typename?: 'LiveMetrics';
  /** drivers who reported a location in the last five minutes */
  activeDrivers: Scalars['Int']['output'];
  /** RFC 3339 */
  at: Scalars['String']['output'];
  /** GMV since midnight in the time zone asked for */
  gmvTodayMinor: Scalars['Int64']['output'];
  /** orders placed in the last day, not yet delivered nor ended */
  openOrders: Scalars['Int']['output'];
  /** orders placed in the last minute */
  ordersPerMinute: Scalars['Int']['output'];
};

/** WGS84 degrees. */
export type Location = {
  __typename?: 'Location';
  lat: Scalars['Float']['output'];
  lng: Scalars['Float']['output'];
};

export type LocationInput = {
  lat: Scalars['Float']['input'];
  lng: Scalars['Float']['input'];
};

/** The menu: categories of items. version increases with every menu change. */
export type Menu = {
  __typename?: 'Menu';
  categories: Array<MenuCategory>;
  currency: Scalars['String']['output'];
  /** RFC 3339: when this version was made; null before the first recorded edit. */
  editedAt?: Maybe<Scalars['String']['output']>;
  /** Who made this version (null before the first recorded edit): shown when a stale edit is refused. */
  editedBy?: Maybe<User>;
  version: Scalars['Int']['output'];
};

export type MenuCategory = {
  __typename?: 'MenuCategory';
  id: Scalars['ID']['output'];
  items: Array<MenuItem>;
  name: Scalars['String']['output'];
};

export type MenuCategoryInput = {
  id?: InputMaybe<Scalars['ID']['input']>;
  items: Array<MenuItemInput>;
  name: Scalars['String']['input'];
};

/** A whole menu. Leave id out for a new entry; give the existing id to keep an entry's identity. */
export type MenuInput = {
  categories: Array<MenuCategoryInput>;
};

/** A dish; the restaurants subgraph owns it and the router completes its fields. */
export type MenuItem = {
  __typename?: 'MenuItem';
  /** False when sold out. */
  available: Scalars['Boolean']['output'];
  description: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  imageUrl?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  optionGroups: Array<OptionGroup>;
  price: Money;
  restaurant: Restaurant;
  /** vegan, spicy, signature, ... */
  tags: Array<Scalars['String']['output']>;
};

export type MenuItemInput = {
  available?: InputMaybe<Scalars['Boolean']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  id?: InputMaybe<Scalars['ID']['input']>;
  imageUrl?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  optionGroups?: InputMaybe<Array<OptionGroupInput>>;
  price: MoneyInput;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type MenuOption = {
  __typename?: 'MenuOption';
  available: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Added to the item's price; zero for free choices. */
  priceDelta: Money;
};

export type MenuOptionInput = {
  available?: InputMaybe<Scalars['Boolean']['input']>;
  id?: InputMaybe<Scalars['ID']['input']>;
  name: Scalars['String']['input'];
  priceDelta: MoneyInput;
};

/** An amount in minor units of an ISO 4217 currency. */
export type Money = {
  __typename?: 'Money';
  amountMinor: Scalars['Int']['output'];
  currency: Scalars['String']['output'];
};

export type MoneyInput = {
  amountMinor: Scalars['Int']['input'];
  currency: Scalars['String']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  acceptOffer: Delivery;
  /** Restaurant staff or ADMIN: take a PAID order. */
  acceptOrder: Order;
  /** Owner of the restaurant or ADMIN. */
  addRestaurantStaff: Scalars['Boolean']['output'];
  /** ADMIN only: credit (positive) or debit (negative) a wallet, with a mandatory reason. */
  adminAdjustBalance: WalletAdjustment;
  /** Archives the caller's entries: they leave the inbox listing and the unread count. */
  archiveNotifications: Array<Notification>;
  /** ADMIN only; audited (roleChanges). */
  assignRole: User;
  /** Operations stop a delivery (before pickup) and free its courier. Admin only. */
  cancelDelivery: Delivery;
  /** The customer (or ADMIN), before the restaurant accepts (the wallet refunds a paid order). */
  cancelOrder: Order;
  changePassword: Scalars['Boolean']['output'];
  /** Owner or ADMIN: change prices, all or none, against expectedMenuVersion (stale: CONFLICT). */
  changePrices: Restaurant;
  /** RESTAURANT_OWNER (for themselves) or ADMIN. */
  createRestaurant: Restaurant;
  declineOffer: Scalars['Boolean']['output'];
  /** ADMIN only; audited. The last active admin cannot be disabled (CONFLICT). */
  disableUser: User;
  /** Puts the letter away: it leaves the lists and is never replayed (admins only). */
  discardDeadLetter: DeadLetter;
  goOffline: Driver;
  goOnline: Driver;
  /** ADMIN only: write any relation tuple, e.g. restaurant:42#owner@user:7. */
  grantRelation: Scalars['Boolean']['output'];
  login: AuthPayload;
  logout: Scalars['Boolean']['output'];
  /** Marks every entry of the caller's inbox read; returns how many changed. */
  markAllNotificationsRead: Scalars['Int']['output'];
  markArrivedAtDropoff: Delivery;
  markArrivedAtPickup: Delivery;
  markDelivered: Delivery;
  markEnrouteToDropoff: Delivery;
  /** The assigned courier's Drive steps; each only by the delivery's courier. Steps may be skipped, never reversed. */
  markEnrouteToPickup: Delivery;
  /** Marks the caller's entries read; returns them. Unknown ids or other users' entries are NOT_FOUND. */
  markNotificationsRead: Array<Notification>;
  /** The food changed hands: accepted whether or not the kitchen marked the order ready (the order moves to PICKED_UP). */
  markPickedUp: Delivery;
  /** Restaurant staff or ADMIN. */
  markPreparing: Order;
  /** Restaurant staff or ADMIN. Optional: a courier's pickup moves the order on without it; after the pickup it is a CONFLICT. */
  markReady: Order;
  /** Staff, owner or ADMIN: closed regardless of hours until resumed. */
  pauseRestaurant: Restaurant;
  /** Prices the cart with the restaurants quote and places the order; retrying with the same idempotencyKey returns the same order. */
  placeOrder: Order;
  refresh: AuthPayload;
  /**
   * ADMIN only: refund amount (null: everything still refundable) of an order's payment,
   * with a mandatory reason. Never more than was paid in total across refunds; points come
   * back in proportion to how the order was paid; after settlement the refund is clawed
   * back from the restaurant's payable. BAD_USER_INPUT beyond what is refundable,
   * NOT_FOUND for an order the wallet never charged.
   */
  refundOrder: OrderRefundResult;
  register: AuthPayload;
  /** Restaurant staff or ADMIN: turn a PAID order down (the wallet refunds it). */
  rejectOrder: Order;
  removeRestaurantStaff: Scalars['Boolean']['output'];
  /**
   * Sends the letter back to its original topic with its original event id, once: a
   * letter replayed already is left alone (admins only).
   */
  replayDeadLetter: DeadLetterReplay;
  /** Replays every pending letter of the dead-letter topic (admins only). */
  replayDeadLetters: DeadLetterReplay;
  /** Staff, owner or ADMIN. */
  resumeRestaurant: Restaurant;
  /** ADMIN only; audited. Revoking ADMIN from the last active admin is a CONFLICT. */
  revokeRole: User;
  /** Staff, owner or ADMIN: sold out (false) or back (true). */
  setMenuItemAvailability: MenuItem;
  /** Owner or ADMIN: replace the weekly hours and their time zone, edited against the hours' expectedVersion (OpeningHours.version; stale: CONFLICT naming who changed them and when). Overlapping or invalid ranges and unknown zones are BAD_USER_INPUT. */
  setOpeningHours: Restaurant;
  /**
   * Start topping the signed-in user's wallet up through the payment gateway. The same
   * idempotencyKey with the same amount returns the same intent (CONFLICT with another
   * amount); amounts beyond the per-top-up or per-day bound are BAD_USER_INPUT.
   */
  topUp: PaymentIntent;
  /** The assigned courier hands the delivery back before pickup: it returns to CREATED and is matched again. */
  unassignDelivery: Delivery;
  /** driverId defaults to the caller; a courier may only move themselves. */
  updateLocation: Driver;
  /** Owner or ADMIN: replace the whole menu edited against expectedMenuVersion (stale: CONFLICT). */
  updateMenu: Restaurant;
  /** Changes the caller's notification settings. */
  updateNotificationSettings: NotificationSettings;
  /** Owner or ADMIN. expectedVersion, when given, must be the current version (else CONFLICT). */
  updateRestaurant: Restaurant;
};


export type MutationAcceptOfferArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationAcceptOrderArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAddRestaurantStaffArgs = {
  restaurantId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationAdminAdjustBalanceArgs = {
  amount: WalletMoneyInput;
  idempotencyKey: Scalars['String']['input'];
  reason: Scalars['String']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationArchiveNotificationsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationAssignRoleArgs = {
  role: Role;
  userId: Scalars['ID']['input'];
};


export type MutationCancelDeliveryArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationCancelOrderArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationChangePricesArgs = {
  changes: Array<PriceChangeInput>;
  expectedMenuVersion: Scalars['Int']['input'];
  restaurantId: Scalars['ID']['input'];
};


export type MutationCreateRestaurantArgs = {
  input: CreateRestaurantInput;
};


export type MutationDeclineOfferArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationDisableUserArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationDiscardDeadLetterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationGoOnlineArgs = {
  location: LocationInput;
  vehicle?: InputMaybe<Vehicle>;
};


export type MutationGrantRelationArgs = {
  namespace: Scalars['String']['input'];
  object: Scalars['String']['input'];
  relation: Scalars['String']['input'];
  subject: Scalars['String']['input'];
};


export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationLogoutArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationMarkArrivedAtDropoffArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkArrivedAtPickupArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkDeliveredArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkEnrouteToDropoffArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkEnrouteToPickupArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkNotificationsReadArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationMarkPickedUpArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationMarkPreparingArgs = {
  id: Scalars['ID']['input'];
};


export type MutationMarkReadyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPauseRestaurantArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationPlaceOrderArgs = {
  idempotencyKey: Scalars['String']['input'];
  input: PlaceOrderInput;
};


export type MutationRefreshArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRefundOrderArgs = {
  amount?: InputMaybe<WalletMoneyInput>;
  idempotencyKey: Scalars['String']['input'];
  orderId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationRejectOrderArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationRemoveRestaurantStaffArgs = {
  restaurantId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationReplayDeadLetterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplayDeadLettersArgs = {
  topic: Scalars['String']['input'];
};


export type MutationResumeRestaurantArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeRoleArgs = {
  role: Role;
  userId: Scalars['ID']['input'];
};


export type MutationSetMenuItemAvailabilityArgs = {
  available: Scalars['Boolean']['input'];
  menuItemId: Scalars['ID']['input'];
};


export type MutationSetOpeningHoursArgs = {
  expectedVersion: Scalars['Int']['input'];
  openingHours: OpeningHoursInput;
  restaurantId: Scalars['ID']['input'];
};


export type MutationTopUpArgs = {
  amount: WalletMoneyInput;
  idempotencyKey: Scalars['String']['input'];
};


export type MutationUnassignDeliveryArgs = {
  deliveryId: Scalars['ID']['input'];
};


export type MutationUpdateLocationArgs = {
  driverId?: InputMaybe<Scalars['ID']['input']>;
  location: LocationInput;
};


export type MutationUpdateMenuArgs = {
  expectedMenuVersion: Scalars['Int']['input'];
  menu: MenuInput;
  restaurantId: Scalars['ID']['input'];
};


export type MutationUpdateNotificationSettingsArgs = {
  input: NotificationSettingsInput;
};


export type MutationUpdateRestaurantArgs = {
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
  input: UpdateRestaurantInput;
};

/** One inbox entry. */
export type Notification = {
  __typename?: 'Notification';
  archived: Scalars['Boolean']['output'];
  body: Scalars['String']['output'];
  category: NotificationCategory;
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  /** The messages sent for it on other channels (its owner or an ADMIN). */
  deliveries: Array<NotificationDelivery>;
  id: Scalars['ID']['output'];
  /** The workflow that made it, e.g. order.status.delivered. */
  kind: Scalars['String']['output'];
  locale: Scalars['String']['output'];
  /** The order it is about, when it is about one. */
  orderId?: Maybe<Scalars['ID']['output']>;
  read: Scalars['Boolean']['output'];
  /** The entry's place in its owner's inbox: 1, 2, 3... with no gaps. myNotifications(since:) takes it. */
  sequence: Scalars['Int']['output'];
  title: Scalars['String']['output'];
};

/** What a notification is about; preferences are kept per category and channel. */
export type NotificationCategory =
  | 'ACCOUNT'
  | 'ORDERS'
  | 'PROMOTIONS';

/** Where a message goes. IN_APP is the inbox (always on); the others go through providers. */
export type NotificationChannel =
  | 'EMAIL'
  | 'IN_APP'
  | 'PUSH'
  | 'SMS';

export type NotificationConnection = {
  __typename?: 'NotificationConnection';
  edges: Array<NotificationEdge>;
  pageInfo: PageInfo;
};

/** One message on one channel, with its provider's answer: what admins look at when a message did not arrive. */
export type NotificationDelivery = {
  __typename?: 'NotificationDelivery';
  attempts: Scalars['Int']['output'];
  channel: NotificationChannel;
  id: Scalars['ID']['output'];
  /** The key passed to providers: one per (event, recipient, channel). */
  idempotencyKey: Scalars['String']['output'];
  notificationId: Scalars['ID']['output'];
  /** The provider that answered last (a fallback's name when the primary failed). */
  provider?: Maybe<Scalars['String']['output']>;
  /** What the provider said (its message id, or its error). */
  providerAnswer?: Maybe<Scalars['String']['output']>;
  /** Why it was suppressed or why it failed. */
  reason?: Maybe<Scalars['String']['output']>;
  status: NotificationDeliveryStatus;
  /** RFC 3339 */
  updatedAt: Scalars['String']['output'];
  userId: Scalars['ID']['output'];
};

export type NotificationDeliveryConnection = {
  __typename?: 'NotificationDeliveryConnection';
  edges: Array<NotificationDeliveryEdge>;
  pageInfo: PageInfo;
};

export type NotificationDeliveryEdge = {
  __typename?: 'NotificationDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: NotificationDelivery;
};

/** A message's way through its channel's providers. */
export type NotificationDeliveryStatus =
  /** Every attempt and the fallback failed: a dead letter, kept for an operator. */
  | 'DEAD'
  /** An attempt failed; it is retried with backoff. */
  | 'FAILED'
  /** Waiting for its (next) attempt. */
  | 'QUEUED'
  /** Handed to a provider, answer not yet recorded. */
  | 'SENDING'
  | 'SENT'
  /** Not sent on purpose: opted out, no address, or quiet hours. */
  | 'SUPPRESSED';

export type NotificationEdge = {
  __typename?: 'NotificationEdge';
  cursor: Scalars['String']['output'];
  node: Notification;
};

/** One event of the live inbox. */
export type NotificationEvent = {
  __typename?: 'NotificationEvent';
  notification: Notification;
  unreadCount: Scalars['Int']['output'];
};

export type NotificationOptOut = {
  __typename?: 'NotificationOptOut';
  category: NotificationCategory;
  channel: NotificationChannel;
};

export type NotificationOptOutInput = {
  category: NotificationCategory;
  channel: NotificationChannel;
};

/** A user's notification settings. */
export type NotificationSettings = {
  __typename?: 'NotificationSettings';
  email?: Maybe<Scalars['String']['output']>;
  /** BCP 47 language of messages: en, ru or uz. */
  locale: Scalars['String']['output'];
  /** Channels turned off, per category (IN_APP cannot be turned off). */
  optOuts: Array<NotificationOptOut>;
  phone?: Maybe<Scalars['String']['output']>;
  pushToken?: Maybe<Scalars['String']['output']>;
  /** Quiet hours as HH:MM-HH:MM in timeZone; null: none. Non-transactional messages wait until they end. */
  quietHours?: Maybe<Scalars['String']['output']>;
  /** IANA zone quiet hours are read in, e.g. Asia/Tashkent. */
  timeZone: Scalars['String']['output'];
};

/** Only the fields given change; an empty string clears email, phone, pushToken or quietHours. */
export type NotificationSettingsInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  locale?: InputMaybe<Scalars['String']['input']>;
  /** Replaces the whole list when given. */
  optOuts?: InputMaybe<Array<NotificationOptOutInput>>;
  phone?: InputMaybe<Scalars['String']['input']>;
  pushToken?: InputMaybe<Scalars['String']['input']>;
  quietHours?: InputMaybe<Scalars['String']['input']>;
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

/** An order offered to the signed-in courier. */
export type Offer = {
  __typename?: 'Offer';
  dropoff?: Maybe<Location>;
  /** RFC 3339: the offer lapses and goes to the next courier after this. */
  expiresAt: Scalars['String']['output'];
  orderId: Scalars['ID']['output'];
  pickup?: Maybe<Location>;
};

/** A weekly schedule in an IANA time zone. */
export type OpeningHours = {
  __typename?: 'OpeningHours';
  /** Every weekday, Monday first; a day without ranges is closed. */
  days: Array<DayHours>;
  /** RFC 3339: when this version of the hours was made; null before the first recorded edit. */
  editedAt?: Maybe<Scalars['String']['output']>;
  /** Who made this version of the hours (null before the first recorded edit): shown when a stale edit is refused. */
  editedBy?: Maybe<User>;
  timeZone: Scalars['String']['output'];
  /** Counts changes of the hours; pass it as expectedVersion to setOpeningHours to refuse a stale edit. */
  version: Scalars['Int']['output'];
};

export type OpeningHoursInput = {
  days: Array<DayHoursInput>;
  timeZone: Scalars['String']['input'];
};

/** A choice for an item: pick between minChoices and maxChoices options. */
export type OptionGroup = {
  __typename?: 'OptionGroup';
  id: Scalars['ID']['output'];
  maxChoices: Scalars['Int']['output'];
  minChoices: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  options: Array<MenuOption>;
};

export type OptionGroupInput = {
  id?: InputMaybe<Scalars['ID']['input']>;
  maxChoices: Scalars['Int']['input'];
  minChoices: Scalars['Int']['input'];
  name: Scalars['String']['input'];
  options: Array<MenuOptionInput>;
};

/** An order (owned by the orders subgraph); dispatch adds its delivery. */
export type Order = {
  __typename?: 'Order';
  /** RFC 3339; set while PAID: the restaurant must accept before this. */
  acceptBy?: Maybe<Scalars['String']['output']>;
  customer: User;
  /** Visible to the order's customer, its courier and admins; null before the order is accepted. */
  delivery?: Maybe<Delivery>;
  deliveryAddress: DeliveryAddress;
  deliveryFee: Money;
  deliveryLocation: GeoPoint;
  /** The driver dispatch assigned, when there is one. */
  driverId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  lines: Array<OrderLine>;
  /** What the wallet charged for the order and gave back: the order's customer and admins only; null before the wallet charged it. */
  payment?: Maybe<OrderPayment>;
  /** RFC 3339 */
  placedAt: Scalars['String']['output'];
  /** Loyalty points the customer spends on this order; the wallet values them (its loyalty rules) and refuses the payment when they are not redeemable. */
  pointsRedeemed: Scalars['Int']['output'];
  restaurant: Restaurant;
  status: OrderStatus;
  subtotal: Money;
  /** Every transition, oldest first. */
  timeline: Array<OrderTransition>;
  /** The order's price: subtotal + deliveryFee, points not deducted. The wallet collects it, redeeming pointsRedeemed points for part of it and charging the rest to the customer's wallet balance. */
  total: Money;
};

export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  cursor: Scalars['String']['output'];
  node: Order;
};

/** Of the orders placed in the range, how many were paid, accepted and delivered. */
export type OrderFunnel = {
  __typename?: 'OrderFunnel';
  accepted: Scalars['Int']['output'];
  delivered: Scalars['Int']['output'];
  dropOffs: Array<FunnelDropOff>;
  paid: Scalars['Int']['output'];
  placed: Scalars['Int']['output'];
};

export type OrderLine = {
  __typename?: 'OrderLine';
  lineTotal: Money;
  menuItem: MenuItem;
  name: Scalars['String']['output'];
  options: Array<OrderLineOption>;
  quantity: Scalars['Int']['output'];
  /** Item price plus option deltas, from the restaurants quote at checkout. */
  unitPrice: Money;
};

export type OrderLineInput = {
  menuItemId: Scalars['ID']['input'];
  optionIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  quantity: Scalars['Int']['input'];
};

export type OrderLineOption = {
  __typename?: 'OrderLineOption';
  groupId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  priceDelta: Money;
};

/** An order's payment as the wallet's ledger records it. */
export type OrderPayment = {
  __typename?: 'OrderPayment';
  /** The order's total: the wallet's part plus the value of the redeemed points. */
  amountPaid: WalletMoney;
  /** The part the customer's wallet paid in money. */
  amountPaidFromWallet: WalletMoney;
  pointsRedeemed: Scalars['Int64']['output'];
  /** Order value refunded so far (money and points together). */
  refunded: WalletMoney;
  refunds: Array<OrderRefund>;
  settled: Scalars['Boolean']['output'];
  status: OrderPaymentStatus;
};

export type OrderPaymentStatus =
  /** Charged and held in escrow. */
  | 'PAID'
  /** Part of the payment went back to the customer. */
  | 'PARTIALLY_REFUNDED'
  /** Everything went back to the customer. */
  | 'REFUNDED'
  /** Delivered and paid out to the restaurant, courier and platform. */
  | 'SETTLED';

/** One refund of an order. */
export type OrderRefund = {
  __typename?: 'OrderRefund';
  /** Order value given back (money and points together). */
  amount: WalletMoney;
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  reason: Scalars['String']['output'];
  transactionId: Scalars['ID']['output'];
};

export type OrderRefundResult = {
  __typename?: 'OrderRefundResult';
  payment: OrderPayment;
  /** True when the idempotency key had already been used for this same refund. */
  replayed: Scalars['Boolean']['output'];
  transactionId: Scalars['ID']['output'];
};

/** An order's place in its lifecycle. */
export type OrderStatus =
  | 'ACCEPTED'
  | 'CANCELLED'
  | 'DELIVERED'
  | 'DELIVERY_FAILED'
  | 'PAID'
  | 'PAYMENT_FAILED'
  | 'PICKED_UP'
  | 'PLACED'
  | 'PREPARING'
  | 'READY_FOR_PICKUP'
  | 'REJECTED';

export type OrderTransition = {
  __typename?: 'OrderTransition';
  /** customer:<id>, staff:<id>, admin:<id>, wallet, dispatch or system:acceptance-deadline */
  actor: Scalars['String']['output'];
  /** RFC 3339 */
  at: Scalars['String']['output'];
  from?: Maybe<OrderStatus>;
  reason?: Maybe<Scalars['String']['output']>;
  /** 1 for placing the order, then one more per transition. */
  sequence: Scalars['Int']['output'];
  to: OrderStatus;
};

/** One transition of an order, with the order as it is now. */
export type OrderUpdate = {
  __typename?: 'OrderUpdate';
  order: Order;
  transition: OrderTransition;
};

/** Relay page information. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

/**
 * A top-up the payment gateway is collecting. The wallet is credited when the gateway's
 * signed webhook confirms it, shortly after topUp returns PENDING.
 */
export type PaymentIntent = {
  __typename?: 'PaymentIntent';
  amount: WalletMoney;
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  declineReason?: Maybe<Scalars['String']['output']>;
  /** RFC 3339: a PENDING intent not confirmed by then becomes EXPIRED. */
  expiresAt: Scalars['String']['output'];
  /** Why the intent FAILED or EXPIRED. */
  failureReason?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  status: PaymentIntentStatus;
};

export type PaymentIntentStatus =
  | 'DECLINED'
  /** The gateway did not confirm it in time (a late confirmation is still credited). */
  | 'EXPIRED'
  /** The gateway's answer could not be applied; failureReason says why. */
  | 'FAILED'
  | 'PENDING'
  | 'SUCCEEDED';

export type PlaceOrderInput = {
  deliveryAddress: DeliveryAddressInput;
  deliveryLocation: GeoPointInput;
  lines: Array<OrderLineInput>;
  pointsToRedeem?: InputMaybe<Scalars['Int']['input']>;
  restaurantId: Scalars['ID']['input'];
};

/** A new price for an item, or a new delta for an option, by id. */
export type PriceChangeInput = {
  id: Scalars['ID']['input'];
  price: MoneyInput;
};

export type Query = {
  __typename?: 'Query';
  /** Cancellation and refund rates. */
  cancellationAndRefundRates: CancellationAndRefundRates;
  /** Every dead-letter topic of the platform's topics (admins only). */
  deadLetterTopics: Array<DeadLetterTopic>;
  /** A dead-letter topic's letters not discarded, oldest first (admins only). */
  deadLetters: DeadLetterConnection;
  /** A delivery (its customer, its courier or an admin). */
  delivery?: Maybe<Delivery>;
  /** Delivery time p50/p90/p99 and its parts. */
  deliveryTimes: DeliveryTimes;
  /** A courier (themselves or an admin). */
  driver?: Maybe<Driver>;
  /** Driver utilisation and earnings, most deliveries first (admins only). */
  driverUtilisation: Array<DriverFigures>;
  /** The signed-in account. */
  me?: Maybe<User>;
  menuItem?: Maybe<MenuItem>;
  /** Messages on every channel, newest first, for operators (ADMIN): filter by status, channel or user. */
  notificationDeliveries: NotificationDeliveryConnection;
  /** The order (its customer, its restaurant's staff, or an ADMIN). */
  order?: Maybe<Order>;
  /** placed -> paid -> accepted -> delivered, with drop-off reasons. */
  orderFunnel: OrderFunnel;
  /** Price a cart: item prices plus option deltas, in minor units, with availability. */
  quote: Quote;
  /**
   * What the signed-in customer's points would pay on an order of orderTotal; points
   * defaults to as many as allowed.
   */
  redeemPointsPreview: RedeemPointsPreview;
  restaurant?: Maybe<Restaurant>;
  /** The restaurant's owners and staff, owners first (its owner or an admin). */
  restaurantTeam: Array<RestaurantMember>;
  /** Restaurants in id order; cuisine narrows to one cuisine. Discovery by text and distance is search's. */
  restaurants: RestaurantConnection;
  /** ADMIN only: the audit of an account's role grants, revocations and disabling, newest first. */
  roleChanges: Array<RoleChange>;
  /** Orders and GMV per restaurant or H3 zone, largest GMV first. */
  salesBreakdown: Array<SalesBreakdownRow>;
  /** Orders and GMV per hour, day or week (hourly: at most 31 days). */
  salesSeries: SalesSeries;
  searchDishes: DishSearchConnection;
  searchRestaurants: RestaurantSearchConnection;
  /** Autocomplete: restaurant names, dishes and cuisines starting with the prefix's last word. */
  suggest: Array<Suggestion>;
  /** The most ordered dishes. */
  topDishes: Array<TopDish>;
  /** A top-up intent of the signed-in user (or any, for an admin); null when there is none. */
  topUpIntent?: Maybe<PaymentIntent>;
  /** The account with this id (itself or an admin). */
  user?: Maybe<User>;
  /** ADMIN only: accounts in email order. search matches the start of the email or the name (case-insensitive); role keeps its holders; first is 1 to 100. */
  users: UserConnection;
  /** The wallet of userId (the user itself or an admin). */
  wallet?: Maybe<Wallet>;
  /** ADMIN only: verify the ledger's audit log now (reads every audit row). */
  walletAuditVerification: WalletAuditVerification;
};


export type QueryCancellationAndRefundRatesArgs = {
  range: AnalyticsRange;
};


export type QueryDeadLettersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  topic: Scalars['String']['input'];
};


export type QueryDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDeliveryTimesArgs = {
  range: AnalyticsRange;
};


export type QueryDriverArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDriverUtilisationArgs = {
  from: Scalars['String']['input'];
  limit?: InputMaybe<Scalars['Int']['input']>;
  to: Scalars['String']['input'];
};


export type QueryMenuItemArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNotificationDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  channel?: InputMaybe<NotificationChannel>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<NotificationDeliveryStatus>>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrderFunnelArgs = {
  range: AnalyticsRange;
};


export type QueryQuoteArgs = {
  input: QuoteInput;
};


export type QueryRedeemPointsPreviewArgs = {
  orderTotal: WalletMoneyInput;
  points?: InputMaybe<Scalars['Int64']['input']>;
};


export type QueryRestaurantArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRestaurantTeamArgs = {
  restaurantId: Scalars['ID']['input'];
};


export type QueryRestaurantsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  cuisine?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRoleChangesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  userId: Scalars['ID']['input'];
};


export type QuerySalesBreakdownArgs = {
  by: SalesBreakdownBy;
  limit?: InputMaybe<Scalars['Int']['input']>;
  range: AnalyticsRange;
};


export type QuerySalesSeriesArgs = {
  bucket: AnalyticsBucket;
  range: AnalyticsRange;
};


export type QuerySearchDishesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filters?: InputMaybe<RestaurantSearchFilters>;
  first?: InputMaybe<Scalars['Int']['input']>;
  near?: InputMaybe<GeoPointInput>;
  query: Scalars['String']['input'];
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySearchRestaurantsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filters?: InputMaybe<RestaurantSearchFilters>;
  first?: InputMaybe<Scalars['Int']['input']>;
  near?: InputMaybe<GeoPointInput>;
  query?: InputMaybe<Scalars['String']['input']>;
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<RestaurantSearchSort>;
};


export type QuerySuggestArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  near?: InputMaybe<GeoPointInput>;
  prefix: Scalars['String']['input'];
};


export type QueryTopDishesArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
  range: AnalyticsRange;
};


export type QueryTopUpIntentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  role?: InputMaybe<Role>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryWalletArgs = {
  userId: Scalars['ID']['input'];
};

/** The authoritative price of a cart; clients never set prices. */
export type Quote = {
  __typename?: 'Quote';
  /** Every line available and the restaurant open: an order can be placed. */
  available: Scalars['Boolean']['output'];
  currency: Scalars['String']['output'];
  lines: Array<QuoteLine>;
  /** The menu version the prices come from. */
  menuVersion: Scalars['Int']['output'];
  /** RFC 3339 */
  quotedAt: Scalars['String']['output'];
  restaurantId: Scalars['ID']['output'];
  restaurantOpen: Scalars['Boolean']['output'];
  subtotal: Money;
};

export type QuoteInput = {
  lines: Array<QuoteLineInput>;
  restaurantId: Scalars['ID']['input'];
};

export type QuoteLine = {
  __typename?: 'QuoteLine';
  available: Scalars['Boolean']['output'];
  lineTotal: Money;
  menuItem: MenuItem;
  name: Scalars['String']['output'];
  options: Array<QuotedOption>;
  quantity: Scalars['Int']['output'];
  unavailableReason?: Maybe<Scalars['String']['output']>;
  /** Item price plus option deltas. */
  unitPrice: Money;
};

export type QuoteLineInput = {
  menuItemId: Scalars['ID']['input'];
  /** Option ids from the item's option groups. */
  optionIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  quantity: Scalars['Int']['input'];
};

export type QuotedOption = {
  __typename?: 'QuotedOption';
  groupId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  priceDelta: Money;
};

/** What redeeming points on an order would do. */
export type RedeemPointsPreview = {
  __typename?: 'RedeemPointsPreview';
  /** The customer's points balance now. */
  balance: Scalars['Int64']['output'];
  /** What they pay of the order. */
  covered: WalletMoney;
  /** Points that would be spent. */
  points: Scalars['Int64']['output'];
  /** What the customer still pays from the wallet. */
  remaining: WalletMoney;
};

export type RegisterInput = {
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  password: Scalars['String']['input'];
  phone?: InputMaybe<Scalars['String']['input']>;
};

/** A restaurant; the restaurants subgraph owns it and the router completes its fields. */
export type Restaurant = {
  __typename?: 'Restaurant';
  address: Address;
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  /** Lower-case cuisine names (uzbek, pizza, ...). */
  cuisines: Array<Scalars['String']['output']>;
  /** ISO 4217 code every price on the menu is in. */
  currency: Scalars['String']['output'];
  description: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Open now: within the opening hours in the restaurant's time zone and not paused. */
  isOpen: Scalars['Boolean']['output'];
  location: GeoPoint;
  menu: Menu;
  name: Scalars['String']['output'];
  openingHours: OpeningHours;
  /** The restaurant's orders, newest first (its staff, owner or an ADMIN). Nullable: to anyone else it is null with a FORBIDDEN error, and the restaurant itself still answers. */
  orders?: Maybe<OrderConnection>;
  owner: User;
  pauseReason?: Maybe<Scalars['String']['output']>;
  /** Paused by staff: closed regardless of the hours until resumed. */
  paused: Scalars['Boolean']['output'];
  /** Typical minutes from acceptance to ready for pickup. */
  prepTimeMinutes: Scalars['Int']['output'];
  /** 1 (cheap) to 4. */
  priceLevel: Scalars['Int']['output'];
  /** Average customer rating, 1 to 5; null until the first rating. */
  rating?: Maybe<Scalars['Float']['output']>;
  ratingCount: Scalars['Int']['output'];
  /** RFC 3339 */
  updatedAt: Scalars['String']['output'];
  /** Counts every change; pass it as expectedVersion to updateRestaurant to refuse a stale edit. */
  version: Scalars['Int']['output'];
};


/** A restaurant; the restaurants subgraph owns it and the router completes its fields. */
export type RestaurantOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<OrderStatus>>;
};

export type RestaurantConnection = {
  __typename?: 'RestaurantConnection';
  edges: Array<RestaurantEdge>;
  pageInfo: PageInfo;
};

export type RestaurantEdge = {
  __typename?: 'RestaurantEdge';
  cursor: Scalars['String']['output'];
  node: Restaurant;
};

/** One person of a restaurant's team. */
export type RestaurantMember = {
  __typename?: 'RestaurantMember';
  relation: RestaurantRelation;
  user: User;
};

/** How a person belongs to a restaurant (a relation tuple restaurant:<id>#<relation>@user:<id>). */
export type RestaurantRelation =
  | 'OWNER'
  | 'STAFF';

export type RestaurantSearchConnection = {
  __typename?: 'RestaurantSearchConnection';
  edges: Array<RestaurantSearchEdge>;
  /** Counted over every hit (not just this page), and only when selected. */
  facets: SearchFacets;
  pageInfo: PageInfo;
  /** Hits counted, at most 1000: a broad search says 1000 rather than count a city. */
  totalCount: Scalars['Int']['output'];
};

export type RestaurantSearchEdge = {
  __typename?: 'RestaurantSearchEdge';
  cursor: Scalars['String']['output'];
  node: RestaurantSearchHit;
};

export type RestaurantSearchFilters = {
  /** Any of these cuisines. */
  cuisines?: InputMaybe<Array<Scalars['String']['input']>>;
  /** All of these dietary tags (vegan, halal, ...). */
  dietary?: InputMaybe<Array<Scalars['String']['input']>>;
  /** 1 (cheap) to 4. */
  maxPriceLevel?: InputMaybe<Scalars['Int']['input']>;
  minRating?: InputMaybe<Scalars['Float']['input']>;
  /** Open now: the restaurant's open flag and its weekly hours. */
  openNow?: InputMaybe<Scalars['Boolean']['input']>;
};

export type RestaurantSearchHit = {
  __typename?: 'RestaurantSearchHit';
  /** Meters from near; null without near. */
  distanceMeters?: Maybe<Scalars['Float']['output']>;
  matchedDishes: Array<DishMatch>;
  /** Promoted (DizhTime Special). */
  promoted: Scalars['Boolean']['output'];
  /** Null, with a NOT_FOUND error at this path, when the restaurants subgraph does not know the hit (the index holds a restaurant the store no longer has): one stale hit degrades itself, never the whole search. Clients skip such hits. */
  restaurant?: Maybe<Restaurant>;
  score: Scalars['Float']['output'];
};

export type RestaurantSearchSort =
  | 'DISTANCE'
  | 'RATING'
  /** Text match, decayed by distance from near, with promoted restaurants boosted. */
  | 'RELEVANCE';

/** A platform role. */
export type Role =
  | 'ADMIN'
  | 'CUSTOMER'
  | 'DRIVER'
  | 'RESTAURANT_OWNER'
  | 'RESTAURANT_STAFF';

/** One audited change of an account's rights: which role (null for DISABLED), by whom, when. */
export type RoleChange = {
  __typename?: 'RoleChange';
  actor: User;
  /** RFC 3339 */
  at: Scalars['String']['output'];
  change: RoleChangeKind;
  role?: Maybe<Role>;
  user: User;
};

/** What happened to an account's rights. */
export type RoleChangeKind =
  | 'DISABLED'
  | 'GRANTED'
  | 'REVOKED';

/** What a sales breakdown groups by. */
export type SalesBreakdownBy =
  | 'RESTAURANT'
  /** H3 cell (resolution 8) of the delivery address */
  | 'ZONE';

/** One restaurant's or zone's sales over a range. */
export type SalesBreakdownRow = {
  __typename?: 'SalesBreakdownRow';
  gmvMinor: Scalars['Int64']['output'];
  /** restaurant id or H3 cell */
  key: Scalars['String']['output'];
  orders: Scalars['Int']['output'];
};

/** Orders placed and their value (GMV: order totals) in one bucket. */
export type SalesPoint = {
  __typename?: 'SalesPoint';
  gmvMinor: Scalars['Int64']['output'];
  orders: Scalars['Int']['output'];
  /** start of the bucket, RFC 3339 in the range's time zone */
  start: Scalars['String']['output'];
};

/** A sales series, ready for a chart: every bucket of the range, empty ones included. */
export type SalesSeries = {
  __typename?: 'SalesSeries';
  bucket: AnalyticsBucket;
  points: Array<SalesPoint>;
  timeZone: Scalars['String']['output'];
  totalGmvMinor: Scalars['Int64']['output'];
  totalOrders: Scalars['Int']['output'];
};

export type SearchFacets = {
  __typename?: 'SearchFacets';
  cuisines: Array<FacetCount>;
  priceLevels: Array<FacetCount>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The courier's position and ETA; only the order's customer (or an admin) may listen. */
  deliveryTracking: TrackingUpdate;
  /** Offers made to the signed-in courier. */
  driverOffers: Offer;
  /** Admin live map: every courier ping inside the box. */
  driversInArea: DriverPosition;
  /** Live figures every intervalSeconds (default 5, 1..60), the first at once (admins only). */
  liveMetrics: LiveMetrics;
  /** The caller's new inbox entries, in sequence order. since: the last sequence the client has; entries after it come first (a reconnect loses nothing). Without it, only new entries. */
  myNotifications: NotificationEvent;
  /** Every transition of the order, in order (its customer or an ADMIN). since: replay transitions after this sequence number; omitted: start with the current status. */
  orderUpdated: OrderUpdate;
  /** The restaurant's orders as they change (its staff or an ADMIN): first the current status of each open order and of orders changed in the last minute, then every new order and transition, each once and in order. */
  restaurantOrders: OrderUpdate;
};


export type SubscriptionDeliveryTrackingArgs = {
  orderId: Scalars['ID']['input'];
};


export type SubscriptionDriversInAreaArgs = {
  bbox: BBoxInput;
};


export type SubscriptionLiveMetricsArgs = {
  intervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  timeZone?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionMyNotificationsArgs = {
  since?: InputMaybe<Scalars['Int']['input']>;
};


export type SubscriptionOrderUpdatedArgs = {
  id: Scalars['ID']['input'];
  since?: InputMaybe<Scalars['Int']['input']>;
};


export type SubscriptionRestaurantOrdersArgs = {
  restaurantId: Scalars['ID']['input'];
};

export type Suggestion = {
  __typename?: 'Suggestion';
  /** Set for DISH suggestions. */
  dish?: Maybe<MenuItem>;
  kind: SuggestionKind;
  /** Set for RESTAURANT and DISH suggestions. */
  restaurant?: Maybe<Restaurant>;
  text: Scalars['String']['output'];
};

export type SuggestionKind =
  | 'CUISINE'
  | 'DISH'
  | 'RESTAURANT';

export type TimeRange = {
  __typename?: 'TimeRange';
  /** HH:MM local time; 24:00 is the end of the day */
  close: Scalars['String']['output'];
  /** HH:MM local time */
  open: Scalars['String']['output'];
};

export type TimeRangeInput = {
  close: Scalars['String']['input'];
  open: Scalars['String']['input'];
};

/** A dish's quantity and revenue over a range. */
export type TopDish = {
  __typename?: 'TopDish';
  menuItemId: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  quantity: Scalars['Int']['output'];
  restaurantId: Scalars['ID']['output'];
  revenueMinor: Scalars['Int64']['output'];
};

/** Where the courier of an order is, and when they are expected. */
export type TrackingUpdate = {
  __typename?: 'TrackingUpdate';
  /** RFC 3339 */
  at: Scalars['String']['output'];
  deliveryStatus: DeliveryStatus;
  driverId: Scalars['ID']['output'];
  /** Seconds until the next stop (pickup before pickup, drop-off after). */
  etaSeconds: Scalars['Int']['output'];
  location: Location;
  orderId: Scalars['ID']['output'];
};

/** Fields left out keep their value. */
export type UpdateRestaurantInput = {
  address?: InputMaybe<AddressInput>;
  cuisines?: InputMaybe<Array<Scalars['String']['input']>>;
  currency?: InputMaybe<Scalars['String']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  location?: InputMaybe<GeoPointInput>;
  name?: InputMaybe<Scalars['String']['input']>;
  openingHours?: InputMaybe<OpeningHoursInput>;
  prepTimeMinutes?: InputMaybe<Scalars['Int']['input']>;
  priceLevel?: InputMaybe<Scalars['Int']['input']>;
};

/** An account. email and phone are shown to the account itself and to admins only. */
export type User = {
  __typename?: 'User';
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  disabled: Scalars['Boolean']['output'];
  /** The account's courier profile: to the account itself and admins; null if it never went online. */
  driver?: Maybe<Driver>;
  email?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Where and when the user wants to hear from DizhTime. */
  notificationSettings: NotificationSettings;
  /** The user's inbox, newest first (the user or an ADMIN). Archived entries are left out. */
  notifications: NotificationConnection;
  /** The user's own orders, newest first (the user or an ADMIN). */
  orders: OrderConnection;
  phone?: Maybe<Scalars['String']['output']>;
  roles: Array<Role>;
  /** How many inbox entries are not read (archived ones not counted). */
  unreadCount: Scalars['Int']['output'];
  /** The user's wallet (the user itself or an admin). */
  wallet?: Maybe<Wallet>;
};


/** An account. email and phone are shown to the account itself and to admins only. */
export type UserNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  unreadOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


/** An account. email and phone are shown to the account itself and to admins only. */
export type UserOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<OrderStatus>>;
};

/** A page of accounts in email order. */
export type UserConnection = {
  __typename?: 'UserConnection';
  edges: Array<UserEdge>;
  pageInfo: PageInfo;
};

export type UserEdge = {
  __typename?: 'UserEdge';
  cursor: Scalars['String']['output'];
  node: User;
};

export type Vehicle =
  | 'BICYCLE'
  | 'CAR'
  | 'SCOOTER';

/** A customer's wallet: visible to the customer and to admins only. */
export type Wallet = {
  __typename?: 'Wallet';
  /** One balance per currency the wallet has ever held. */
  balances: Array<WalletMoney>;
  /**
   * What the user earned as a courier since an RFC 3339 instant (settled deliveries' shares,
   * less claw-backs), one entry per currency; empty when nothing was earned.
   */
  courierEarnings: Array<CourierEarnings>;
  loyaltyPoints: Scalars['Int64']['output'];
  /** Movements on the wallet and its points, newest first. */
  transactions: WalletTransactionConnection;
  userId: Scalars['ID']['output'];
};


/** A customer's wallet: visible to the customer and to admins only. */
export type WalletCourierEarningsArgs = {
  since: Scalars['String']['input'];
};


/** A customer's wallet: visible to the customer and to admins only. */
export type WalletTransactionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type WalletAdjustment = {
  __typename?: 'WalletAdjustment';
  /** True when the idempotency key had already been used for this same adjustment. */
  replayed: Scalars['Boolean']['output'];
  transactionId: Scalars['ID']['output'];
  wallet: Wallet;
};

/** A check of the whole audit log: every account's keyed hash chain and balance recomputed. */
export type WalletAuditVerification = {
  __typename?: 'WalletAuditVerification';
  accounts: Scalars['Int']['output'];
  /** RFC 3339 */
  checkedAt: Scalars['String']['output'];
  /** True when no chain is broken and every balance follows from its postings. */
  intact: Scalars['Boolean']['output'];
  /** The first broken row of each broken chain, and each balance that does not add up. */
  problems: Array<Scalars['String']['output']>;
  rows: Scalars['Int']['output'];
};

/**
 * An amount in integer minor units of an ISO 4217 currency (or PTS, loyalty points).
 * Not the shared Money type: that one's amountMinor is a 32-bit Int, too small for
 * wallet balances, and a field cannot have two types in one supergraph.
 */
export type WalletMoney = {
  __typename?: 'WalletMoney';
  amountMinor: Scalars['Int64']['output'];
  currency: Scalars['String']['output'];
};

export type WalletMoneyInput = {
  amountMinor: Scalars['Int64']['input'];
  /** ISO 4217, e.g. UZS */
  currency: Scalars['String']['input'];
};

/** One movement on one of the wallet's accounts (money or points). */
export type WalletTransaction = {
  __typename?: 'WalletTransaction';
  /** Positive into the wallet, negative out of it; currency PTS for points. */
  amount: WalletMoney;
  /** RFC 3339 */
  createdAt: Scalars['String']['output'];
  /** The posting's ledger sequence number. */
  id: Scalars['ID']['output'];
  kind: WalletTransactionKind;
  orderId?: Maybe<Scalars['ID']['output']>;
  reason: Scalars['String']['output'];
  /** The ledger transaction the posting belongs to. */
  transactionId: Scalars['ID']['output'];
};

export type WalletTransactionConnection = {
  __typename?: 'WalletTransactionConnection';
  edges: Array<WalletTransactionEdge>;
  pageInfo: PageInfo;
};

export type WalletTransactionEdge = {
  __typename?: 'WalletTransactionEdge';
  cursor: Scalars['String']['output'];
  node: WalletTransaction;
};

export type WalletTransactionKind =
  | 'ADJUSTMENT'
  | 'ORDER_PAYMENT'
  | 'POINTS_EARN'
  | 'POINTS_EXPIRE'
  | 'REFUND'
  | 'SETTLEMENT'
  | 'TOP_UP';

export type Weekday =
  | 'FRIDAY'
  | 'MONDAY'
  | 'SATURDAY'
  | 'SUNDAY'
  | 'THURSDAY'
  | 'TUESDAY'
  | 'WEDNESDAY';

export type AdminDriversSubscriptionVariables = Exact<{
  box: BBoxInput;
}>;


export type AdminDriversSubscription = { __typename?: 'Subscription', driversInArea: { __typename?: 'DriverPosition', driverId: string, status: DriverStatus, at: string, location: { __typename?: 'Location', lat: number, lng: number } } };

export type AdminRestaurantOrdersSubscriptionVariables = Exact<{
  r: Scalars['ID']['input'];
}>;


export type AdminRestaurantOrdersSubscription = { __typename?: 'Subscription', restaurantOrders: { __typename?: 'OrderUpdate', transition: { __typename?: 'OrderTransition', sequence: number, to: OrderStatus, at: string, actor: string, reason?: string | null }, order: { __typename?: 'Order', id: string, status: OrderStatus, placedAt: string, driverId?: string | null, total: { __typename?: 'Money', amountMinor: number, currency: string }, deliveryLocation: { __typename?: 'GeoPoint', lat: number, lng: number }, restaurant: { __typename?: 'Restaurant', id: string, name: string, location: { __typename?: 'GeoPoint', lat: number, lng: number } } } } };

export type AdminOrderQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AdminOrderQuery = { __typename?: 'Query', order?: { __typename?: 'Order', id: string, status: OrderStatus, placedAt: string, acceptBy?: string | null, driverId?: string | null, customer: { __typename?: 'User', id: string, name: string }, restaurant: { __typename?: 'Restaurant', id: string, name: string }, total: { __typename?: 'Money', amountMinor: number, currency: string }, timeline: Array<{ __typename?: 'OrderTransition', sequence: number, from?: OrderStatus | null, to: OrderStatus, at: string, actor: string, reason?: string | null }>, delivery?: { __typename?: 'Delivery', id: string, status: DeliveryStatus, driver?: { __typename?: 'Driver', id: string } | null, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } | null, payment?: { __typename?: 'OrderPayment', status: OrderPaymentStatus, amountPaid: { __typename?: 'WalletMoney', amountMinor: string, currency: string }, amountPaidFromWallet: { __typename?: 'WalletMoney', amountMinor: string, currency: string }, refunded: { __typename?: 'WalletMoney', amountMinor: string, currency: string }, refunds: Array<{ __typename?: 'OrderRefund', reason: string, amount: { __typename?: 'WalletMoney', amountMinor: string, currency: string } }> } | null } | null };

export type AdminRefundMutationVariables = Exact<{
  o: Scalars['ID']['input'];
  amount?: InputMaybe<WalletMoneyInput>;
  reason: Scalars['String']['input'];
  key: Scalars['String']['input'];
}>;


export type AdminRefundMutation = { __typename?: 'Mutation', refundOrder: { __typename?: 'OrderRefundResult', transactionId: string, replayed: boolean, payment: { __typename?: 'OrderPayment', status: OrderPaymentStatus, refunded: { __typename?: 'WalletMoney', amountMinor: string, currency: string } } } };

export type AdminUserQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AdminUserQuery = { __typename?: 'Query', user?: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role>, disabled: boolean, createdAt: string, wallet?: { __typename?: 'Wallet', loyaltyPoints: string, balances: Array<{ __typename?: 'WalletMoney', amountMinor: string, currency: string }> } | null } | null };

export type AdminAssignRoleMutationVariables = Exact<{
  u: Scalars['ID']['input'];
  r: Role;
}>;


export type AdminAssignRoleMutation = { __typename?: 'Mutation', assignRole: { __typename?: 'User', id: string, roles: Array<Role> } };

export type AdminRevokeRoleMutationVariables = Exact<{
  u: Scalars['ID']['input'];
  r: Role;
}>;


export type AdminRevokeRoleMutation = { __typename?: 'Mutation', revokeRole: { __typename?: 'User', id: string, roles: Array<Role> } };

export type AdminAuditQueryVariables = Exact<{ [key: string]: never; }>;


export type AdminAuditQuery = { __typename?: 'Query', walletAuditVerification: { __typename?: 'WalletAuditVerification', intact: boolean, accounts: number, rows: number, problems: Array<string>, checkedAt: string } };

export type AdminDeadLetterTopicsQueryVariables = Exact<{ [key: string]: never; }>;


export type AdminDeadLetterTopicsQuery = { __typename?: 'Query', deadLetterTopics: Array<{ __typename?: 'DeadLetterTopic', name: string, originalTopic: string, count: number, pending: number, oldestFailedAt?: string | null, newestFailedAt?: string | null }> };

export type AdminDeadLettersQueryVariables = Exact<{
  topic: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AdminDeadLettersQuery = { __typename?: 'Query', deadLetters: { __typename?: 'DeadLetterConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'DeadLetterEdge', node: { __typename?: 'DeadLetter', id: string, originalTopic: string, originalPartition: number, originalOffset: string, key: string, eventId?: string | null, eventType?: string | null, consumerGroup: string, error: string, attempts: number, failedAt?: string | null, payloadPreview: string, replayState: DeadLetterReplayState, actedAt?: string | null, actedBy?: string | null } }> } };

export type AdminReplayDeadLetterMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AdminReplayDeadLetterMutation = { __typename?: 'Mutation', replayDeadLetter: { __typename?: 'DeadLetterReplay', republished: number, alreadyReplayed: number } };

export type AdminReplayDeadLettersMutationVariables = Exact<{
  topic: Scalars['String']['input'];
}>;


export type AdminReplayDeadLettersMutation = { __typename?: 'Mutation', replayDeadLetters: { __typename?: 'DeadLetterReplay', republished: number, alreadyReplayed: number } };

export type AdminDiscardDeadLetterMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AdminDiscardDeadLetterMutation = { __typename?: 'Mutation', discardDeadLetter: { __typename?: 'DeadLetter', id: string, replayState: DeadLetterReplayState } };

export type AdminUsersQueryVariables = Exact<{
  s?: InputMaybe<Scalars['String']['input']>;
  r?: InputMaybe<Role>;
  n?: InputMaybe<Scalars['Int']['input']>;
  a?: InputMaybe<Scalars['String']['input']>;
}>;


export type AdminUsersQuery = { __typename?: 'Query', users: { __typename?: 'UserConnection', edges: Array<{ __typename?: 'UserEdge', cursor: string, node: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role>, disabled: boolean } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type AdminRoleChangesQueryVariables = Exact<{
  u: Scalars['ID']['input'];
}>;


export type AdminRoleChangesQuery = { __typename?: 'Query', roleChanges: Array<{ __typename?: 'RoleChange', role?: Role | null, change: RoleChangeKind, at: string, actor: { __typename?: 'User', id: string, name: string } }> };

export type CartQuoteQueryVariables = Exact<{
  input: QuoteInput;
}>;


export type CartQuoteQuery = { __typename?: 'Query', quote: { __typename?: 'Quote', restaurantId: string, currency: string, available: boolean, restaurantOpen: boolean, menuVersion: number, subtotal: { __typename?: 'Money', amountMinor: number, currency: string }, lines: Array<{ __typename?: 'QuoteLine', name: string, quantity: number, available: boolean, unavailableReason?: string | null, lineTotal: { __typename?: 'Money', amountMinor: number, currency: string }, options: Array<{ __typename?: 'QuotedOption', id: string, name: string }> }> } };

export type PointsPreviewQueryVariables = Exact<{
  total: WalletMoneyInput;
  points?: InputMaybe<Scalars['Int64']['input']>;
}>;


export type PointsPreviewQuery = { __typename?: 'Query', redeemPointsPreview: { __typename?: 'RedeemPointsPreview', points: string, balance: string, covered: { __typename?: 'WalletMoney', amountMinor: string, currency: string }, remaining: { __typename?: 'WalletMoney', amountMinor: string, currency: string } } };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
  key: Scalars['String']['input'];
}>;


export type PlaceOrderMutation = { __typename?: 'Mutation', placeOrder: { __typename?: 'Order', id: string, status: OrderStatus, total: { __typename?: 'Money', amountMinor: number, currency: string } } };

export type MyOrdersQueryVariables = Exact<{ [key: string]: never; }>;


export type MyOrdersQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, orders: { __typename?: 'OrderConnection', edges: Array<{ __typename?: 'OrderEdge', node: { __typename?: 'Order', id: string, status: OrderStatus, placedAt: string, total: { __typename?: 'Money', amountMinor: number, currency: string }, restaurant: { __typename?: 'Restaurant', id: string, name: string } } }> } } | null };

export type LiveOrderQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type LiveOrderQuery = { __typename?: 'Query', order?: { __typename?: 'Order', id: string, status: OrderStatus, placedAt: string, pointsRedeemed: number, driverId?: string | null, total: { __typename?: 'Money', amountMinor: number, currency: string }, subtotal: { __typename?: 'Money', amountMinor: number, currency: string }, deliveryFee: { __typename?: 'Money', amountMinor: number, currency: string }, restaurant: { __typename?: 'Restaurant', id: string, name: string, location: { __typename?: 'GeoPoint', lat: number, lng: number } }, deliveryLocation: { __typename?: 'GeoPoint', lat: number, lng: number }, lines: Array<{ __typename?: 'OrderLine', name: string, quantity: number, lineTotal: { __typename?: 'Money', amountMinor: number, currency: string }, options: Array<{ __typename?: 'OrderLineOption', id: string, name: string }> }>, timeline: Array<{ __typename?: 'OrderTransition', sequence: number, from?: OrderStatus | null, to: OrderStatus, at: string, actor: string, reason?: string | null }>, payment?: { __typename?: 'OrderPayment', status: OrderPaymentStatus, settled: boolean, pointsRedeemed: string, amountPaidFromWallet: { __typename?: 'WalletMoney', amountMinor: string, currency: string }, refunded: { __typename?: 'WalletMoney', amountMinor: string, currency: string } } | null } | null };

export type OrderUpdatedSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
  since?: InputMaybe<Scalars['Int']['input']>;
}>;


export type OrderUpdatedSubscription = { __typename?: 'Subscription', orderUpdated: { __typename?: 'OrderUpdate', transition: { __typename?: 'OrderTransition', sequence: number, from?: OrderStatus | null, to: OrderStatus, at: string, actor: string, reason?: string | null }, order: { __typename?: 'Order', id: string, status: OrderStatus, driverId?: string | null } } };

export type DeliveryTrackingSubscriptionVariables = Exact<{
  orderId: Scalars['ID']['input'];
}>;


export type DeliveryTrackingSubscription = { __typename?: 'Subscription', deliveryTracking: { __typename?: 'TrackingUpdate', orderId: string, driverId: string, deliveryStatus: DeliveryStatus, etaSeconds: number, at: string, location: { __typename?: 'Location', lat: number, lng: number } } };

export type CancelOrderMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
}>;


export type CancelOrderMutation = { __typename?: 'Mutation', cancelOrder: { __typename?: 'Order', id: string, status: OrderStatus } };

export type RestaurantMenuQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RestaurantMenuQuery = { __typename?: 'Query', restaurant?: { __typename?: 'Restaurant', id: string, name: string, description: string, cuisines: Array<string>, isOpen: boolean, currency: string, prepTimeMinutes: number, address: { __typename?: 'Address', line1: string, city: string }, menu: { __typename?: 'Menu', version: number, currency: string, categories: Array<{ __typename?: 'MenuCategory', id: string, name: string, items: Array<{ __typename?: 'MenuItem', id: string, name: string, description: string, available: boolean, tags: Array<string>, price: { __typename?: 'Money', amountMinor: number, currency: string } }> }> } } | null };

export type ItemOptionsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ItemOptionsQuery = { __typename?: 'Query', menuItem?: { __typename?: 'MenuItem', id: string, optionGroups: Array<{ __typename?: 'OptionGroup', id: string, name: string, minChoices: number, maxChoices: number, options: Array<{ __typename?: 'MenuOption', id: string, name: string, available: boolean, priceDelta: { __typename?: 'Money', amountMinor: number, currency: string } }> }> } | null };

export type SearchRestaurantsQueryVariables = Exact<{
  query?: InputMaybe<Scalars['String']['input']>;
  near?: InputMaybe<GeoPointInput>;
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
  filters?: InputMaybe<RestaurantSearchFilters>;
  sort?: InputMaybe<RestaurantSearchSort>;
}>;


export type SearchRestaurantsQuery = { __typename?: 'Query', searchRestaurants: { __typename?: 'RestaurantSearchConnection', totalCount: number, facets: { __typename?: 'SearchFacets', cuisines: Array<{ __typename?: 'FacetCount', value: string, count: number }>, priceLevels: Array<{ __typename?: 'FacetCount', value: string, count: number }> }, edges: Array<{ __typename?: 'RestaurantSearchEdge', node: { __typename?: 'RestaurantSearchHit', distanceMeters?: number | null, restaurant?: { __typename?: 'Restaurant', id: string, name: string, cuisines: Array<string>, isOpen: boolean, priceLevel: number, rating?: number | null, prepTimeMinutes: number, location: { __typename?: 'GeoPoint', lat: number, lng: number } } | null, matchedDishes: Array<{ __typename?: 'DishMatch', name: string, highlight: string, price: { __typename?: 'Money', amountMinor: number, currency: string }, dish: { __typename?: 'MenuItem', id: string } }> } }> } };

export type SuggestQueryVariables = Exact<{
  prefix: Scalars['String']['input'];
  near?: InputMaybe<GeoPointInput>;
}>;


export type SuggestQuery = { __typename?: 'Query', suggest: Array<{ __typename?: 'Suggestion', text: string, kind: SuggestionKind, restaurant?: { __typename?: 'Restaurant', id: string } | null }> };

export type MyWalletQueryVariables = Exact<{
  userId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type MyWalletQuery = { __typename?: 'Query', wallet?: { __typename?: 'Wallet', userId: string, loyaltyPoints: string, balances: Array<{ __typename?: 'WalletMoney', amountMinor: string, currency: string }>, transactions: { __typename?: 'WalletTransactionConnection', edges: Array<{ __typename?: 'WalletTransactionEdge', node: { __typename?: 'WalletTransaction', id: string, kind: WalletTransactionKind, orderId?: string | null, reason: string, createdAt: string, amount: { __typename?: 'WalletMoney', amountMinor: string, currency: string } } }> } } | null };

export type TopUpMutationVariables = Exact<{
  amount: WalletMoneyInput;
  key: Scalars['String']['input'];
}>;


export type TopUpMutation = { __typename?: 'Mutation', topUp: { __typename?: 'PaymentIntent', id: string, status: PaymentIntentStatus, declineReason?: string | null, amount: { __typename?: 'WalletMoney', amountMinor: string, currency: string } } };

export type TopUpIntentQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TopUpIntentQuery = { __typename?: 'Query', topUpIntent?: { __typename?: 'PaymentIntent', id: string, status: PaymentIntentStatus, declineReason?: string | null } | null };

export type CourierHomeQueryVariables = Exact<{ [key: string]: never; }>;


export type CourierHomeQuery = { __typename?: 'Query', me?: { __typename?: 'User', id: string, name: string, roles: Array<Role>, driver?: { __typename?: 'Driver', id: string, status: DriverStatus, vehicle: Vehicle, lastLocation?: { __typename?: 'Location', lat: number, lng: number } | null, currentOffer?: { __typename?: 'Offer', orderId: string, expiresAt: string, pickup?: { __typename?: 'Location', lat: number, lng: number } | null, dropoff?: { __typename?: 'Location', lat: number, lng: number } | null } | null, currentDelivery?: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } | null } | null } | null };

export type CourierDeliveryFragment = { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> };

export type CourierEarningsAndHistoryQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  since: Scalars['String']['input'];
}>;


export type CourierEarningsAndHistoryQuery = { __typename?: 'Query', wallet?: { __typename?: 'Wallet', courierEarnings: Array<{ __typename?: 'CourierEarnings', orders: number, amount: { __typename?: 'WalletMoney', amountMinor: string, currency: string } }> } | null, driver?: { __typename?: 'Driver', id: string, deliveries: Array<{ __typename?: 'Delivery', id: string, status: DeliveryStatus, order: { __typename?: 'Order', id: string }, timeline: Array<{ __typename?: 'DeliveryTransition', to: DeliveryStatus, at: string }> }> } | null };

export type CourierGoOnlineMutationVariables = Exact<{
  l: LocationInput;
  v?: InputMaybe<Vehicle>;
}>;


export type CourierGoOnlineMutation = { __typename?: 'Mutation', goOnline: { __typename?: 'Driver', id: string, status: DriverStatus } };

export type CourierGoOfflineMutationVariables = Exact<{ [key: string]: never; }>;


export type CourierGoOfflineMutation = { __typename?: 'Mutation', goOffline: { __typename?: 'Driver', id: string, status: DriverStatus } };

export type CourierPingMutationVariables = Exact<{
  l: LocationInput;
}>;


export type CourierPingMutation = { __typename?: 'Mutation', updateLocation: { __typename?: 'Driver', id: string, status: DriverStatus, lastLocation?: { __typename?: 'Location', lat: number, lng: number } | null } };

export type CourierAcceptMutationVariables = Exact<{
  o: Scalars['ID']['input'];
}>;


export type CourierAcceptMutation = { __typename?: 'Mutation', acceptOffer: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierDeclineMutationVariables = Exact<{
  o: Scalars['ID']['input'];
}>;


export type CourierDeclineMutation = { __typename?: 'Mutation', declineOffer: boolean };

export type CourierOffersSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type CourierOffersSubscription = { __typename?: 'Subscription', driverOffers: { __typename?: 'Offer', orderId: string, expiresAt: string, pickup?: { __typename?: 'Location', lat: number, lng: number } | null, dropoff?: { __typename?: 'Location', lat: number, lng: number } | null } };

export type CourierEnrouteToPickupMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierEnrouteToPickupMutation = { __typename?: 'Mutation', markEnrouteToPickup: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierArrivedAtPickupMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierArrivedAtPickupMutation = { __typename?: 'Mutation', markArrivedAtPickup: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierPickedUpMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierPickedUpMutation = { __typename?: 'Mutation', markPickedUp: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierEnrouteToDropoffMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierEnrouteToDropoffMutation = { __typename?: 'Mutation', markEnrouteToDropoff: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierArrivedAtDropoffMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierArrivedAtDropoffMutation = { __typename?: 'Mutation', markArrivedAtDropoff: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type CourierDeliveredMutationVariables = Exact<{
  d: Scalars['ID']['input'];
}>;


export type CourierDeliveredMutation = { __typename?: 'Mutation', markDelivered: { __typename?: 'Delivery', id: string, status: DeliveryStatus, pickupEta?: string | null, dropoffEta?: string | null, order: { __typename?: 'Order', id: string }, pickup: { __typename?: 'Location', lat: number, lng: number }, dropoff: { __typename?: 'Location', lat: number, lng: number }, timeline: Array<{ __typename?: 'DeliveryTransition', from?: DeliveryStatus | null, to: DeliveryStatus, at: string, actor: string }> } };

export type KitchenRestaurantsQueryVariables = Exact<{ [key: string]: never; }>;


export type KitchenRestaurantsQuery = { __typename?: 'Query', restaurants: { __typename?: 'RestaurantConnection', edges: Array<{ __typename?: 'RestaurantEdge', node: { __typename?: 'Restaurant', id: string, name: string } }> } };

export type KitchenRestaurantQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenRestaurantQuery = { __typename?: 'Query', restaurant?: { __typename?: 'Restaurant', id: string, name: string, paused: boolean, pauseReason?: string | null, isOpen: boolean, currency: string, version: number, menu: { __typename?: 'Menu', version: number, currency: string, editedAt?: string | null, editedBy?: { __typename?: 'User', id: string, name: string } | null, categories: Array<{ __typename?: 'MenuCategory', id: string, name: string, items: Array<{ __typename?: 'MenuItem', id: string, name: string, available: boolean, price: { __typename?: 'Money', amountMinor: number, currency: string } }> }> } } | null };

export type KitchenOrdersSubscriptionVariables = Exact<{
  r: Scalars['ID']['input'];
}>;


export type KitchenOrdersSubscription = { __typename?: 'Subscription', restaurantOrders: { __typename?: 'OrderUpdate', transition: { __typename?: 'OrderTransition', sequence: number, from?: OrderStatus | null, to: OrderStatus, at: string, actor: string, reason?: string | null }, order: { __typename?: 'Order', id: string, status: OrderStatus, acceptBy?: string | null, placedAt: string, total: { __typename?: 'Money', amountMinor: number, currency: string }, lines: Array<{ __typename?: 'OrderLine', name: string, quantity: number, options: Array<{ __typename?: 'OrderLineOption', id: string, name: string }> }> } } };

export type KitchenAcceptMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenAcceptMutation = { __typename?: 'Mutation', acceptOrder: { __typename?: 'Order', id: string, status: OrderStatus } };

export type KitchenRejectMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
}>;


export type KitchenRejectMutation = { __typename?: 'Mutation', rejectOrder: { __typename?: 'Order', id: string, status: OrderStatus } };

export type KitchenPreparingMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenPreparingMutation = { __typename?: 'Mutation', markPreparing: { __typename?: 'Order', id: string, status: OrderStatus } };

export type KitchenReadyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenReadyMutation = { __typename?: 'Mutation', markReady: { __typename?: 'Order', id: string, status: OrderStatus } };

export type KitchenPauseMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
}>;


export type KitchenPauseMutation = { __typename?: 'Mutation', pauseRestaurant: { __typename?: 'Restaurant', id: string, paused: boolean, pauseReason?: string | null, isOpen: boolean } };

export type KitchenResumeMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenResumeMutation = { __typename?: 'Mutation', resumeRestaurant: { __typename?: 'Restaurant', id: string, paused: boolean, pauseReason?: string | null, isOpen: boolean } };

export type KitchenPricesMutationVariables = Exact<{
  r: Scalars['ID']['input'];
  v: Scalars['Int']['input'];
  changes: Array<PriceChangeInput> | PriceChangeInput;
}>;


export type KitchenPricesMutation = { __typename?: 'Mutation', changePrices: { __typename?: 'Restaurant', id: string, menu: { __typename?: 'Menu', version: number, categories: Array<{ __typename?: 'MenuCategory', id: string, items: Array<{ __typename?: 'MenuItem', id: string, price: { __typename?: 'Money', amountMinor: number, currency: string } }> }> } } };

export type KitchenAvailabilityMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  a: Scalars['Boolean']['input'];
}>;


export type KitchenAvailabilityMutation = { __typename?: 'Mutation', setMenuItemAvailability: { __typename?: 'MenuItem', id: string, available: boolean } };

export type KitchenAddStaffMutationVariables = Exact<{
  r: Scalars['ID']['input'];
  u: Scalars['ID']['input'];
}>;


export type KitchenAddStaffMutation = { __typename?: 'Mutation', addRestaurantStaff: boolean };

export type KitchenRemoveStaffMutationVariables = Exact<{
  r: Scalars['ID']['input'];
  u: Scalars['ID']['input'];
}>;


export type KitchenRemoveStaffMutation = { __typename?: 'Mutation', removeRestaurantStaff: boolean };

export type KitchenTeamQueryVariables = Exact<{
  r: Scalars['ID']['input'];
}>;


export type KitchenTeamQuery = { __typename?: 'Query', restaurantTeam: Array<{ __typename?: 'RestaurantMember', relation: RestaurantRelation, user: { __typename?: 'User', id: string, name: string, email?: string | null } }> };

export type KitchenSalesQueryVariables = Exact<{
  range: AnalyticsRange;
}>;


export type KitchenSalesQuery = { __typename?: 'Query', salesSeries: { __typename?: 'SalesSeries', totalOrders: number, totalGmvMinor: string } };

export type KitchenHoursQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenHoursQuery = { __typename?: 'Query', restaurant?: { __typename?: 'Restaurant', id: string, isOpen: boolean, openingHours: { __typename?: 'OpeningHours', timeZone: string, version: number, editedAt?: string | null, editedBy?: { __typename?: 'User', id: string, name: string } | null, days: Array<{ __typename?: 'DayHours', day: Weekday, ranges: Array<{ __typename?: 'TimeRange', open: string, close: string }> }> } } | null };

export type KitchenSetHoursMutationVariables = Exact<{
  r: Scalars['ID']['input'];
  v: Scalars['Int']['input'];
  h: OpeningHoursInput;
}>;


export type KitchenSetHoursMutation = { __typename?: 'Mutation', setOpeningHours: { __typename?: 'Restaurant', id: string, isOpen: boolean, openingHours: { __typename?: 'OpeningHours', timeZone: string, version: number } } };

export type KitchenMenuOptionsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KitchenMenuOptionsQuery = { __typename?: 'Query', restaurant?: { __typename?: 'Restaurant', id: string, currency: string, menu: { __typename?: 'Menu', version: number, currency: string, editedAt?: string | null, editedBy?: { __typename?: 'User', id: string, name: string } | null, categories: Array<{ __typename?: 'MenuCategory', id: string, name: string, items: Array<{ __typename?: 'MenuItem', id: string, name: string, description: string, available: boolean, tags: Array<string>, imageUrl?: string | null, price: { __typename?: 'Money', amountMinor: number, currency: string }, optionGroups: Array<{ __typename?: 'OptionGroup', id: string, name: string, minChoices: number, maxChoices: number, options: Array<{ __typename?: 'MenuOption', id: string, name: string, available: boolean, priceDelta: { __typename?: 'Money', amountMinor: number, currency: string } }> }> }> }> } } | null };

export type KitchenUpdateMenuMutationVariables = Exact<{
  r: Scalars['ID']['input'];
  v: Scalars['Int']['input'];
  m: MenuInput;
}>;


export type KitchenUpdateMenuMutation = { __typename?: 'Mutation', updateMenu: { __typename?: 'Restaurant', id: string, menu: { __typename?: 'Menu', version: number } } };

export type AuthFieldsFragment = { __typename?: 'AuthPayload', accessToken: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role> } };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { __typename?: 'Mutation', register: { __typename?: 'AuthPayload', accessToken: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role> } } };

export type LoginMutationVariables = Exact<{
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', accessToken: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role> } } };

export type RefreshMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type RefreshMutation = { __typename?: 'Mutation', refresh: { __typename?: 'AuthPayload', accessToken: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { __typename?: 'User', id: string, name: string, email?: string | null, roles: Array<Role> } } };

export type LogoutMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type LogoutMutation = { __typename?: 'Mutation', logout: boolean };

export const CourierDeliveryFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierDeliveryFragment, unknown>;
export const AuthFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<AuthFieldsFragment, unknown>;
export const AdminDriversDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AdminDrivers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"box"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BBoxInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driversInArea"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"bbox"},"value":{"kind":"Variable","name":{"kind":"Name","value":"box"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}}]}}]} as unknown as DocumentNode<AdminDriversSubscription, AdminDriversSubscriptionVariables>;
export const AdminRestaurantOrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AdminRestaurantOrders"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurantOrders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transition"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryLocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AdminRestaurantOrdersSubscription, AdminRestaurantOrdersSubscriptionVariables>;
export const AdminOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acceptBy"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"delivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"driver"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"payment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amountPaid"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"amountPaidFromWallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refunded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refunds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AdminOrderQuery, AdminOrderQueryVariables>;
export const AdminRefundDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminRefund"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"o"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"amount"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"WalletMoneyInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refundOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"o"}}},{"kind":"Argument","name":{"kind":"Name","value":"amount"},"value":{"kind":"Variable","name":{"kind":"Name","value":"amount"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transactionId"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"payment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"refunded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AdminRefundMutation, AdminRefundMutationVariables>;
export const AdminUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"balances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"loyaltyPoints"}}]}}]}}]}}]} as unknown as DocumentNode<AdminUserQuery, AdminUserQueryVariables>;
export const AdminAssignRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminAssignRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"u"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"assignRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"u"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<AdminAssignRoleMutation, AdminAssignRoleMutationVariables>;
export const AdminRevokeRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminRevokeRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"u"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"u"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<AdminRevokeRoleMutation, AdminRevokeRoleMutationVariables>;
export const AdminAuditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminAudit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"walletAuditVerification"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"intact"}},{"kind":"Field","name":{"kind":"Name","value":"accounts"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"problems"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}}]}}]}}]} as unknown as DocumentNode<AdminAuditQuery, AdminAuditQueryVariables>;
export const AdminDeadLetterTopicsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminDeadLetterTopics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deadLetterTopics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"originalTopic"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"oldestFailedAt"}},{"kind":"Field","name":{"kind":"Name","value":"newestFailedAt"}}]}}]}}]} as unknown as DocumentNode<AdminDeadLetterTopicsQuery, AdminDeadLetterTopicsQueryVariables>;
export const AdminDeadLettersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminDeadLetters"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"topic"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deadLetters"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"topic"},"value":{"kind":"Variable","name":{"kind":"Name","value":"topic"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"originalTopic"}},{"kind":"Field","name":{"kind":"Name","value":"originalPartition"}},{"kind":"Field","name":{"kind":"Name","value":"originalOffset"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"eventType"}},{"kind":"Field","name":{"kind":"Name","value":"consumerGroup"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"failedAt"}},{"kind":"Field","name":{"kind":"Name","value":"payloadPreview"}},{"kind":"Field","name":{"kind":"Name","value":"replayState"}},{"kind":"Field","name":{"kind":"Name","value":"actedAt"}},{"kind":"Field","name":{"kind":"Name","value":"actedBy"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AdminDeadLettersQuery, AdminDeadLettersQueryVariables>;
export const AdminReplayDeadLetterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminReplayDeadLetter"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayDeadLetter"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"republished"}},{"kind":"Field","name":{"kind":"Name","value":"alreadyReplayed"}}]}}]}}]} as unknown as DocumentNode<AdminReplayDeadLetterMutation, AdminReplayDeadLetterMutationVariables>;
export const AdminReplayDeadLettersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminReplayDeadLetters"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"topic"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayDeadLetters"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"topic"},"value":{"kind":"Variable","name":{"kind":"Name","value":"topic"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"republished"}},{"kind":"Field","name":{"kind":"Name","value":"alreadyReplayed"}}]}}]}}]} as unknown as DocumentNode<AdminReplayDeadLettersMutation, AdminReplayDeadLettersMutationVariables>;
export const AdminDiscardDeadLetterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdminDiscardDeadLetter"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"discardDeadLetter"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"replayState"}}]}}]}}]} as unknown as DocumentNode<AdminDiscardDeadLetterMutation, AdminDiscardDeadLetterMutationVariables>;
export const AdminUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminUsers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"s"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"n"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"a"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"s"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"n"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"a"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<AdminUsersQuery, AdminUsersQueryVariables>;
export const AdminRoleChangesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdminRoleChanges"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"u"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"roleChanges"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"u"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<AdminRoleChangesQuery, AdminRoleChangesQueryVariables>;
export const CartQuoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CartQuote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"QuoteInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quote"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurantId"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"restaurantOpen"}},{"kind":"Field","name":{"kind":"Name","value":"menuVersion"}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"unavailableReason"}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CartQuoteQuery, CartQuoteQueryVariables>;
export const PointsPreviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PointsPreview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"total"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WalletMoneyInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"points"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int64"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeemPointsPreview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderTotal"},"value":{"kind":"Variable","name":{"kind":"Name","value":"total"}}},{"kind":"Argument","name":{"kind":"Name","value":"points"},"value":{"kind":"Variable","name":{"kind":"Name","value":"points"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"points"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"covered"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"remaining"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]} as unknown as DocumentNode<PointsPreviewQuery, PointsPreviewQueryVariables>;
export const PlaceOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PlaceOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaceOrderInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"placeOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]} as unknown as DocumentNode<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const MyOrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyOrders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"orders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MyOrdersQuery, MyOrdersQueryVariables>;
export const LiveOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LiveOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pointsRedeemed"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryFee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryLocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"lineTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"payment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"settled"}},{"kind":"Field","name":{"kind":"Name","value":"pointsRedeemed"}},{"kind":"Field","name":{"kind":"Name","value":"amountPaidFromWallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refunded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LiveOrderQuery, LiveOrderQueryVariables>;
export const OrderUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OrderUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transition"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}}]}}]}}]}}]} as unknown as DocumentNode<OrderUpdatedSubscription, OrderUpdatedSubscriptionVariables>;
export const DeliveryTrackingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DeliveryTracking"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deliveryTracking"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}},{"kind":"Field","name":{"kind":"Name","value":"etaSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}}]}}]} as unknown as DocumentNode<DeliveryTrackingSubscription, DeliveryTrackingSubscriptionVariables>;
export const CancelOrderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CancelOrderMutation, CancelOrderMutationVariables>;
export const RestaurantMenuDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RestaurantMenu"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"cuisines"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"prepTimeMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"line1"}},{"kind":"Field","name":{"kind":"Name","value":"city"}}]}},{"kind":"Field","name":{"kind":"Name","value":"menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<RestaurantMenuQuery, RestaurantMenuQueryVariables>;
export const ItemOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ItemOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"menuItem"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"optionGroups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"minChoices"}},{"kind":"Field","name":{"kind":"Name","value":"maxChoices"}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"priceDelta"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ItemOptionsQuery, ItemOptionsQueryVariables>;
export const SearchRestaurantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchRestaurants"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"near"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"GeoPointInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"radiusMeters"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filters"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RestaurantSearchFilters"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sort"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RestaurantSearchSort"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchRestaurants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"near"},"value":{"kind":"Variable","name":{"kind":"Name","value":"near"}}},{"kind":"Argument","name":{"kind":"Name","value":"radiusMeters"},"value":{"kind":"Variable","name":{"kind":"Name","value":"radiusMeters"}}},{"kind":"Argument","name":{"kind":"Name","value":"filters"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filters"}}},{"kind":"Argument","name":{"kind":"Name","value":"sort"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sort"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"facets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cuisines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"priceLevels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"distanceMeters"}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cuisines"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}},{"kind":"Field","name":{"kind":"Name","value":"priceLevel"}},{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"prepTimeMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"matchedDishes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"highlight"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dish"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchRestaurantsQuery, SearchRestaurantsQueryVariables>;
export const SuggestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Suggest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"near"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"GeoPointInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"suggest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"prefix"},"value":{"kind":"Variable","name":{"kind":"Name","value":"prefix"}}},{"kind":"Argument","name":{"kind":"Name","value":"near"},"value":{"kind":"Variable","name":{"kind":"Name","value":"near"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"6"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<SuggestQuery, SuggestQueryVariables>;
export const MyWalletDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyWallet"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wallet"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"loyaltyPoints"}},{"kind":"Field","name":{"kind":"Name","value":"balances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"transactions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MyWalletQuery, MyWalletQueryVariables>;
export const TopUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TopUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"amount"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WalletMoneyInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"topUp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"amount"},"value":{"kind":"Variable","name":{"kind":"Name","value":"amount"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"declineReason"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]} as unknown as DocumentNode<TopUpMutation, TopUpMutationVariables>;
export const TopUpIntentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TopUpIntent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"topUpIntent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"declineReason"}}]}}]}}]} as unknown as DocumentNode<TopUpIntentQuery, TopUpIntentQueryVariables>;
export const CourierHomeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CourierHome"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"driver"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"vehicle"}},{"kind":"Field","name":{"kind":"Name","value":"lastLocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currentOffer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"currentDelivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierHomeQuery, CourierHomeQueryVariables>;
export const CourierEarningsAndHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CourierEarningsAndHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wallet"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"courierEarnings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"orders"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"driver"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"deliveries"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CourierEarningsAndHistoryQuery, CourierEarningsAndHistoryQueryVariables>;
export const CourierGoOnlineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierGoOnline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"l"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocationInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"v"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Vehicle"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"goOnline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"location"},"value":{"kind":"Variable","name":{"kind":"Name","value":"l"}}},{"kind":"Argument","name":{"kind":"Name","value":"vehicle"},"value":{"kind":"Variable","name":{"kind":"Name","value":"v"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CourierGoOnlineMutation, CourierGoOnlineMutationVariables>;
export const CourierGoOfflineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierGoOffline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"goOffline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<CourierGoOfflineMutation, CourierGoOfflineMutationVariables>;
export const CourierPingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierPing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"l"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateLocation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"location"},"value":{"kind":"Variable","name":{"kind":"Name","value":"l"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastLocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}}]}}]} as unknown as DocumentNode<CourierPingMutation, CourierPingMutationVariables>;
export const CourierAcceptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierAccept"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"o"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptOffer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"o"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierAcceptMutation, CourierAcceptMutationVariables>;
export const CourierDeclineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierDecline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"o"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"declineOffer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"orderId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"o"}}}]}]}}]} as unknown as DocumentNode<CourierDeclineMutation, CourierDeclineMutationVariables>;
export const CourierOffersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CourierOffers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driverOffers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}}]}}]}}]} as unknown as DocumentNode<CourierOffersSubscription, CourierOffersSubscriptionVariables>;
export const CourierEnrouteToPickupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierEnrouteToPickup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markEnrouteToPickup"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierEnrouteToPickupMutation, CourierEnrouteToPickupMutationVariables>;
export const CourierArrivedAtPickupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierArrivedAtPickup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markArrivedAtPickup"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierArrivedAtPickupMutation, CourierArrivedAtPickupMutationVariables>;
export const CourierPickedUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierPickedUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markPickedUp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierPickedUpMutation, CourierPickedUpMutationVariables>;
export const CourierEnrouteToDropoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierEnrouteToDropoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markEnrouteToDropoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierEnrouteToDropoffMutation, CourierEnrouteToDropoffMutationVariables>;
export const CourierArrivedAtDropoffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierArrivedAtDropoff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markArrivedAtDropoff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierArrivedAtDropoffMutation, CourierArrivedAtDropoffMutationVariables>;
export const CourierDeliveredDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CourierDelivered"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"d"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markDelivered"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"deliveryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"d"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CourierDelivery"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CourierDelivery"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Delivery"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pickupEta"}},{"kind":"Field","name":{"kind":"Name","value":"dropoffEta"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dropoff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lat"}},{"kind":"Field","name":{"kind":"Name","value":"lng"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<CourierDeliveredMutation, CourierDeliveredMutationVariables>;
export const KitchenRestaurantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenRestaurants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenRestaurantsQuery, KitchenRestaurantsQueryVariables>;
export const KitchenRestaurantDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenRestaurant"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"paused"}},{"kind":"Field","name":{"kind":"Name","value":"pauseReason"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenRestaurantQuery, KitchenRestaurantQueryVariables>;
export const KitchenOrdersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"KitchenOrders"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurantOrders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transition"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"acceptBy"}},{"kind":"Field","name":{"kind":"Name","value":"placedAt"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenOrdersSubscription, KitchenOrdersSubscriptionVariables>;
export const KitchenAcceptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenAccept"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<KitchenAcceptMutation, KitchenAcceptMutationVariables>;
export const KitchenRejectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenReject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<KitchenRejectMutation, KitchenRejectMutationVariables>;
export const KitchenPreparingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenPreparing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markPreparing"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<KitchenPreparingMutation, KitchenPreparingMutationVariables>;
export const KitchenReadyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenReady"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markReady"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<KitchenReadyMutation, KitchenReadyMutationVariables>;
export const KitchenPauseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenPause"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pauseRestaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"paused"}},{"kind":"Field","name":{"kind":"Name","value":"pauseReason"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}}]}}]}}]} as unknown as DocumentNode<KitchenPauseMutation, KitchenPauseMutationVariables>;
export const KitchenResumeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenResume"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeRestaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"paused"}},{"kind":"Field","name":{"kind":"Name","value":"pauseReason"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}}]}}]}}]} as unknown as DocumentNode<KitchenResumeMutation, KitchenResumeMutationVariables>;
export const KitchenPricesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenPrices"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"v"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"changes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PriceChangeInput"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changePrices"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedMenuVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"v"}}},{"kind":"Argument","name":{"kind":"Name","value":"changes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"changes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenPricesMutation, KitchenPricesMutationVariables>;
export const KitchenAvailabilityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenAvailability"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"a"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setMenuItemAvailability"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"menuItemId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"available"},"value":{"kind":"Variable","name":{"kind":"Name","value":"a"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}}]} as unknown as DocumentNode<KitchenAvailabilityMutation, KitchenAvailabilityMutationVariables>;
export const KitchenAddStaffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenAddStaff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"u"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addRestaurantStaff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"u"}}}]}]}}]} as unknown as DocumentNode<KitchenAddStaffMutation, KitchenAddStaffMutationVariables>;
export const KitchenRemoveStaffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenRemoveStaff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"u"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeRestaurantStaff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"u"}}}]}]}}]} as unknown as DocumentNode<KitchenRemoveStaffMutation, KitchenRemoveStaffMutationVariables>;
export const KitchenTeamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenTeam"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurantTeam"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"relation"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]} as unknown as DocumentNode<KitchenTeamQuery, KitchenTeamQueryVariables>;
export const KitchenSalesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenSales"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AnalyticsRange"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"salesSeries"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"bucket"},"value":{"kind":"EnumValue","value":"DAY"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalOrders"}},{"kind":"Field","name":{"kind":"Name","value":"totalGmvMinor"}}]}}]}}]} as unknown as DocumentNode<KitchenSalesQuery, KitchenSalesQueryVariables>;
export const KitchenHoursDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenHours"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}},{"kind":"Field","name":{"kind":"Name","value":"openingHours"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"ranges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"open"}},{"kind":"Field","name":{"kind":"Name","value":"close"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenHoursQuery, KitchenHoursQueryVariables>;
export const KitchenSetHoursDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenSetHours"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"v"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"h"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OpeningHoursInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setOpeningHours"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"v"}}},{"kind":"Argument","name":{"kind":"Name","value":"openingHours"},"value":{"kind":"Variable","name":{"kind":"Name","value":"h"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isOpen"}},{"kind":"Field","name":{"kind":"Name","value":"openingHours"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<KitchenSetHoursMutation, KitchenSetHoursMutationVariables>;
export const KitchenMenuOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KitchenMenuOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restaurant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"imageUrl"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"optionGroups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"minChoices"}},{"kind":"Field","name":{"kind":"Name","value":"maxChoices"}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"priceDelta"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<KitchenMenuOptionsQuery, KitchenMenuOptionsQueryVariables>;
export const KitchenUpdateMenuDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"KitchenUpdateMenu"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"v"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"m"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MenuInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateMenu"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"restaurantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedMenuVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"v"}}},{"kind":"Argument","name":{"kind":"Name","value":"menu"},"value":{"kind":"Variable","name":{"kind":"Name","value":"m"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"menu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<KitchenUpdateMenuMutation, KitchenUpdateMenuMutationVariables>;
export const RegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Register"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"register"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<RegisterMutation, RegisterMutationVariables>;
export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Refresh"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refresh"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}}]}}]}}]} as unknown as DocumentNode<RefreshMutation, RefreshMutationVariables>;
export const LogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}]}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;