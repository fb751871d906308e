/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  subscription AdminDrivers($box: BBoxInput!) { driversInArea(bbox: $box) { driverId status at location { lat lng } } }\n": typeof types.AdminDriversDocument,
    "\n  subscription AdminRestaurantOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence to at actor reason }\n      order { id status placedAt driverId total { amountMinor currency } deliveryLocation { lat lng } restaurant { id name location { lat lng } } }\n    }\n  }\n": typeof types.AdminRestaurantOrdersDocument,
    "\n  query AdminOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt acceptBy driverId\n      customer { id name }\n      restaurant { id name }\n      total { amountMinor currency }\n      timeline { sequence from to at actor reason }\n      delivery { id status driver { id } timeline { from to at actor } }\n      payment { status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } refunds { amount { amountMinor currency } reason } }\n    }\n  }\n": typeof types.AdminOrderDocument,
    "\n  mutation AdminRefund($o: ID!, $amount: WalletMoneyInput, $reason: String!, $key: String!) {\n    refundOrder(orderId: $o, amount: $amount, reason: $reason, idempotencyKey: $key) { transactionId replayed payment { status refunded { amountMinor currency } } }\n  }\n": typeof types.AdminRefundDocument,
    "\n  query AdminUser($id: ID!) { user(id: $id) { id name email roles disabled createdAt wallet { balances { amountMinor currency } loyaltyPoints } } }\n": typeof types.AdminUserDocument,
    "mutation AdminAssignRole($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }": typeof types.AdminAssignRoleDocument,
    "mutation AdminRevokeRole($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }": typeof types.AdminRevokeRoleDocument,
    "\n  query AdminAudit { walletAuditVerification { intact accounts rows problems checkedAt } }\n": typeof types.AdminAuditDocument,
    "\n  query AdminDeadLetterTopics { deadLetterTopics { name originalTopic count pending oldestFailedAt newestFailedAt } }\n": typeof types.AdminDeadLetterTopicsDocument,
    "\n  query AdminDeadLetters($topic: String!, $first: Int, $after: String) {\n    deadLetters(topic: $topic, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id originalTopic originalPartition originalOffset key eventId eventType consumerGroup error attempts failedAt\n          payloadPreview replayState actedAt actedBy\n        }\n      }\n    }\n  }\n": typeof types.AdminDeadLettersDocument,
    "\n  mutation AdminReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }\n": typeof types.AdminReplayDeadLetterDocument,
    "\n  mutation AdminReplayDeadLetters($topic: String!) { replayDeadLetters(topic: $topic) { republished alreadyReplayed } }\n": typeof types.AdminReplayDeadLettersDocument,
    "\n  mutation AdminDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id replayState } }\n": typeof types.AdminDiscardDeadLetterDocument,
    "\n  query AdminUsers($s: String, $r: Role, $n: Int, $a: String) {\n    users(search: $s, role: $r, first: $n, after: $a) {\n      edges { cursor node { id name email roles disabled } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  query AdminRoleChanges($u: ID!) { roleChanges(userId: $u, first: 20) { role change at actor { id name } } }\n": typeof types.AdminRoleChangesDocument,
    "\n  query CartQuote($input: QuoteInput!) {\n    quote(input: $input) {\n      restaurantId currency available restaurantOpen menuVersion\n      subtotal { amountMinor currency }\n      lines { name quantity available unavailableReason lineTotal { amountMinor currency } options { id name } }\n    }\n  }\n": typeof types.CartQuoteDocument,
    "\n  query PointsPreview($total: WalletMoneyInput!, $points: Int64) {\n    redeemPointsPreview(orderTotal: $total, points: $points) {\n      points balance\n      covered { amountMinor currency }\n      remaining { amountMinor currency }\n    }\n  }\n": typeof types.PointsPreviewDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {\n    placeOrder(input: $input, idempotencyKey: $key) { id status total { amountMinor currency } }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  query MyOrders {\n    me {\n      id\n      orders(first: 20) {\n        edges { node { id status placedAt total { amountMinor currency } restaurant { id name } } }\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  query LiveOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt pointsRedeemed driverId\n      total { amountMinor currency }\n      subtotal { amountMinor currency }\n      deliveryFee { amountMinor currency }\n      restaurant { id name location { lat lng } }\n      deliveryLocation { lat lng }\n      lines { name quantity lineTotal { amountMinor currency } options { id name } }\n      timeline { sequence from to at actor reason }\n      payment { status settled pointsRedeemed amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } }\n    }\n  }\n": typeof types.LiveOrderDocument,
    "\n  subscription OrderUpdated($id: ID!, $since: Int) {\n    orderUpdated(id: $id, since: $since) {\n      transition { sequence from to at actor reason }\n      order { id status driverId }\n    }\n  }\n": typeof types.OrderUpdatedDocument,
    "\n  subscription DeliveryTracking($orderId: ID!) {\n    deliveryTracking(orderId: $orderId) { orderId driverId deliveryStatus etaSeconds at location { lat lng } }\n  }\n": typeof types.DeliveryTrackingDocument,
    "\n  mutation CancelOrder($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status } }\n": typeof types.CancelOrderDocument,
    "\n  query RestaurantMenu($id: ID!) {\n    restaurant(id: $id) {\n      id name description cuisines isOpen currency prepTimeMinutes\n      address { line1 city }\n      menu {\n        version currency\n        categories {\n          id name\n          items {\n            id name description available tags\n            price { amountMinor currency }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RestaurantMenuDocument,
    "\n  query ItemOptions($id: ID!) {\n    menuItem(id: $id) {\n      id\n      optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } }\n    }\n  }\n": typeof types.ItemOptionsDocument,
    "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes location { lat lng } }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n": typeof types.SearchRestaurantsDocument,
    "\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n": typeof types.SuggestDocument,
    "\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n": typeof types.MyWalletDocument,
    "\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n": typeof types.TopUpDocument,
    "\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n": typeof types.TopUpIntentDocument,
    "\n  query CourierHome {\n    me {\n      id name roles\n      driver {\n        id status vehicle\n        lastLocation { lat lng }\n        currentOffer { orderId expiresAt pickup { lat lng } dropoff { lat lng } }\n        currentDelivery { ...CourierDelivery }\n      }\n    }\n  }\n": typeof types.CourierHomeDocument,
    "\n  fragment CourierDelivery on Delivery {\n    id status pickupEta dropoffEta\n    order { id }\n    pickup { lat lng }\n    dropoff { lat lng }\n    timeline { from to at actor }\n  }\n": typeof types.CourierDeliveryFragmentDoc,
    "\n  query CourierEarningsAndHistory($id: ID!, $since: String!) {\n    wallet(userId: $id) { courierEarnings(since: $since) { amount { amountMinor currency } orders } }\n    driver(id: $id) { id deliveries(first: 10) { id status order { id } timeline { to at } } }\n  }\n": typeof types.CourierEarningsAndHistoryDocument,
    "\n  mutation CourierGoOnline($l: LocationInput!, $v: Vehicle) { goOnline(location: $l, vehicle: $v) { id status } }\n": typeof types.CourierGoOnlineDocument,
    "\n  mutation CourierGoOffline { goOffline { id status } }\n": typeof types.CourierGoOfflineDocument,
    "\n  mutation CourierPing($l: LocationInput!) { updateLocation(location: $l) { id status lastLocation { lat lng } } }\n": typeof types.CourierPingDocument,
    "\n  mutation CourierAccept($o: ID!) { acceptOffer(orderId: $o) { ...CourierDelivery } }\n": typeof types.CourierAcceptDocument,
    "\n  mutation CourierDecline($o: ID!) { declineOffer(orderId: $o) }\n": typeof types.CourierDeclineDocument,
    "\n  subscription CourierOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }\n": typeof types.CourierOffersDocument,
    "mutation CourierEnrouteToPickup($d: ID!) { markEnrouteToPickup(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierEnrouteToPickupDocument,
    "mutation CourierArrivedAtPickup($d: ID!) { markArrivedAtPickup(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierArrivedAtPickupDocument,
    "mutation CourierPickedUp($d: ID!) { markPickedUp(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierPickedUpDocument,
    "mutation CourierEnrouteToDropoff($d: ID!) { markEnrouteToDropoff(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierEnrouteToDropoffDocument,
    "mutation CourierArrivedAtDropoff($d: ID!) { markArrivedAtDropoff(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierArrivedAtDropoffDocument,
    "mutation CourierDelivered($d: ID!) { markDelivered(deliveryId: $d) { ...CourierDelivery } }": typeof types.CourierDeliveredDocument,
    "\n  query KitchenRestaurants { restaurants(first: 100) { edges { node { id name } } } }\n": typeof types.KitchenRestaurantsDocument,
    "\n  query KitchenRestaurant($id: ID!) {\n    restaurant(id: $id) {\n      id name paused pauseReason isOpen currency version\n      menu { version currency editedAt editedBy { id name } categories { id name items { id name available price { amountMinor currency } } } }\n    }\n  }\n": typeof types.KitchenRestaurantDocument,
    "\n  subscription KitchenOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence from to at actor reason }\n      order {\n        id status acceptBy placedAt\n        total { amountMinor currency }\n        lines { name quantity options { id name } }\n      }\n    }\n  }\n": typeof types.KitchenOrdersDocument,
    "mutation KitchenAccept($id: ID!) { acceptOrder(id: $id) { id status } }": typeof types.KitchenAcceptDocument,
    "mutation KitchenReject($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id status } }": typeof types.KitchenRejectDocument,
    "mutation KitchenPreparing($id: ID!) { markPreparing(id: $id) { id status } }": typeof types.KitchenPreparingDocument,
    "mutation KitchenReady($id: ID!) { markReady(id: $id) { id status } }": typeof types.KitchenReadyDocument,
    "mutation KitchenPause($id: ID!, $reason: String) { pauseRestaurant(id: $id, reason: $reason) { id paused pauseReason isOpen } }": typeof types.KitchenPauseDocument,
    "mutation KitchenResume($id: ID!) { resumeRestaurant(id: $id) { id paused pauseReason isOpen } }": typeof types.KitchenResumeDocument,
    "\n  mutation KitchenPrices($r: ID!, $v: Int!, $changes: [PriceChangeInput!]!) {\n    changePrices(restaurantId: $r, expectedMenuVersion: $v, changes: $changes) {\n      id menu { version categories { id items { id price { amountMinor currency } } } }\n    }\n  }\n": typeof types.KitchenPricesDocument,
    "\n  mutation KitchenAvailability($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id available } }\n": typeof types.KitchenAvailabilityDocument,
    "mutation KitchenAddStaff($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }": typeof types.KitchenAddStaffDocument,
    "mutation KitchenRemoveStaff($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }": typeof types.KitchenRemoveStaffDocument,
    "\n  query KitchenTeam($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }\n": typeof types.KitchenTeamDocument,
    "\n  query KitchenSales($range: AnalyticsRange!) { salesSeries(range: $range, bucket: DAY) { totalOrders totalGmvMinor } }\n": typeof types.KitchenSalesDocument,
    "\n  query KitchenHours($id: ID!) {\n    restaurant(id: $id) { id isOpen openingHours { timeZone version editedAt editedBy { id name } days { day ranges { open close } } } }\n  }\n": typeof types.KitchenHoursDocument,
    "\n  mutation KitchenSetHours($r: ID!, $v: Int!, $h: OpeningHoursInput!) {\n    setOpeningHours(restaurantId: $r, expectedVersion: $v, openingHours: $h) { id isOpen openingHours { timeZone version } }\n  }\n": typeof types.KitchenSetHoursDocument,
    "\n  query KitchenMenuOptions($id: ID!) {\n    restaurant(id: $id) {\n      id currency\n      menu {\n        version currency editedAt editedBy { id name }\n        categories { id name items { id name description available tags imageUrl price { amountMinor currency }\n          optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } } } }\n      }\n    }\n  }\n": typeof types.KitchenMenuOptionsDocument,
    "\n  mutation KitchenUpdateMenu($r: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $r, expectedMenuVersion: $v, menu: $m) { id menu { version } } }\n": typeof types.KitchenUpdateMenuDocument,
    "\n  fragment AuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    user { id name email roles }\n  }\n": typeof types.AuthFieldsFragmentDoc,
    "\n  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }\n": typeof types.RegisterDocument,
    "\n  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }\n": typeof types.LoginDocument,
    "\n  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }\n": typeof types.RefreshDocument,
    "\n  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }\n": typeof types.LogoutDocument,
};
const documents: Documents = {
    "\n  subscription AdminDrivers($box: BBoxInput!) { driversInArea(bbox: $box) { driverId status at location { lat lng } } }\n": types.AdminDriversDocument,
    "\n  subscription AdminRestaurantOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence to at actor reason }\n      order { id status placedAt driverId total { amountMinor currency } deliveryLocation { lat lng } restaurant { id name location { lat lng } } }\n    }\n  }\n": types.AdminRestaurantOrdersDocument,
    "\n  query AdminOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt acceptBy driverId\n      customer { id name }\n      restaurant { id name }\n      total { amountMinor currency }\n      timeline { sequence from to at actor reason }\n      delivery { id status driver { id } timeline { from to at actor } }\n      payment { status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } refunds { amount { amountMinor currency } reason } }\n    }\n  }\n": types.AdminOrderDocument,
    "\n  mutation AdminRefund($o: ID!, $amount: WalletMoneyInput, $reason: String!, $key: String!) {\n    refundOrder(orderId: $o, amount: $amount, reason: $reason, idempotencyKey: $key) { transactionId replayed payment { status refunded { amountMinor currency } } }\n  }\n": types.AdminRefundDocument,
    "\n  query AdminUser($id: ID!) { user(id: $id) { id name email roles disabled createdAt wallet { balances { amountMinor currency } loyaltyPoints } } }\n": types.AdminUserDocument,
    "mutation AdminAssignRole($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }": types.AdminAssignRoleDocument,
    "mutation AdminRevokeRole($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }": types.AdminRevokeRoleDocument,
    "\n  query AdminAudit { walletAuditVerification { intact accounts rows problems checkedAt } }\n": types.AdminAuditDocument,
    "\n  query AdminDeadLetterTopics { deadLetterTopics { name originalTopic count pending oldestFailedAt newestFailedAt } }\n": types.AdminDeadLetterTopicsDocument,
    "\n  query AdminDeadLetters($topic: String!, $first: Int, $after: String) {\n    deadLetters(topic: $topic, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id originalTopic originalPartition originalOffset key eventId eventType consumerGroup error attempts failedAt\n          payloadPreview replayState actedAt actedBy\n        }\n      }\n    }\n  }\n": types.AdminDeadLettersDocument,
    "\n  mutation AdminReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }\n": types.AdminReplayDeadLetterDocument,
    "\n  mutation AdminReplayDeadLetters($topic: String!) { replayDeadLetters(topic: $topic) { republished alreadyReplayed } }\n": types.AdminReplayDeadLettersDocument,
    "\n  mutation AdminDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id replayState } }\n": types.AdminDiscardDeadLetterDocument,
    "\n  query AdminUsers($s: String, $r: Role, $n: Int, $a: String) {\n    users(search: $s, role: $r, first: $n, after: $a) {\n      edges { cursor node { id name email roles disabled } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  query AdminRoleChanges($u: ID!) { roleChanges(userId: $u, first: 20) { role change at actor { id name } } }\n": types.AdminRoleChangesDocument,
    "\n  query CartQuote($input: QuoteInput!) {\n    quote(input: $input) {\n      restaurantId currency available restaurantOpen menuVersion\n      subtotal { amountMinor currency }\n      lines { name quantity available unavailableReason lineTotal { amountMinor currency } options { id name } }\n    }\n  }\n": types.CartQuoteDocument,
    "\n  query PointsPreview($total: WalletMoneyInput!, $points: Int64) {\n    redeemPointsPreview(orderTotal: $total, points: $points) {\n      points balance\n      covered { amountMinor currency }\n      remaining { amountMinor currency }\n    }\n  }\n": types.PointsPreviewDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {\n    placeOrder(input: $input, idempotencyKey: $key) { id status total { amountMinor currency } }\n  }\n": types.PlaceOrderDocument,
    "\n  query MyOrders {\n    me {\n      id\n      orders(first: 20) {\n        edges { node { id status placedAt total { amountMinor currency } restaurant { id name } } }\n      }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  query LiveOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt pointsRedeemed driverId\n      total { amountMinor currency }\n      subtotal { amountMinor currency }\n      deliveryFee { amountMinor currency }\n      restaurant { id name location { lat lng } }\n      deliveryLocation { lat lng }\n      lines { name quantity lineTotal { amountMinor currency } options { id name } }\n      timeline { sequence from to at actor reason }\n      payment { status settled pointsRedeemed amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } }\n    }\n  }\n": types.LiveOrderDocument,
    "\n  subscription OrderUpdated($id: ID!, $since: Int) {\n    orderUpdated(id: $id, since: $since) {\n      transition { sequence from to at actor reason }\n      order { id status driverId }\n    }\n  }\n": types.OrderUpdatedDocument,
    "\n  subscription DeliveryTracking($orderId: ID!) {\n    deliveryTracking(orderId: $orderId) { orderId driverId deliveryStatus etaSeconds at location { lat lng } }\n  }\n": types.DeliveryTrackingDocument,
    "\n  mutation CancelOrder($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status } }\n": types.CancelOrderDocument,
    "\n  query RestaurantMenu($id: ID!) {\n    restaurant(id: $id) {\n      id name description cuisines isOpen currency prepTimeMinutes\n      address { line1 city }\n      menu {\n        version currency\n        categories {\n          id name\n          items {\n            id name description available tags\n            price { amountMinor currency }\n          }\n        }\n      }\n    }\n  }\n": types.RestaurantMenuDocument,
    "\n  query ItemOptions($id: ID!) {\n    menuItem(id: $id) {\n      id\n      optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } }\n    }\n  }\n": types.ItemOptionsDocument,
    "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes location { lat lng } }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n": types.SearchRestaurantsDocument,
    "\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n": types.SuggestDocument,
    "\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n": types.MyWalletDocument,
    "\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n": types.TopUpDocument,
    "\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n": types.TopUpIntentDocument,
    "\n  query CourierHome {\n    me {\n      id name roles\n      driver {\n        id status vehicle\n        lastLocation { lat lng }\n        currentOffer { orderId expiresAt pickup { lat lng } dropoff { lat lng } }\n        currentDelivery { ...CourierDelivery }\n      }\n    }\n  }\n": types.CourierHomeDocument,
    "\n  fragment CourierDelivery on Delivery {\n    id status pickupEta dropoffEta\n    order { id }\n    pickup { lat lng }\n    dropoff { lat lng }\n    timeline { from to at actor }\n  }\n": types.CourierDeliveryFragmentDoc,
    "\n  query CourierEarningsAndHistory($id: ID!, $since: String!) {\n    wallet(userId: $id) { courierEarnings(since: $since) { amount { amountMinor currency } orders } }\n    driver(id: $id) { id deliveries(first: 10) { id status order { id } timeline { to at } } }\n  }\n": types.CourierEarningsAndHistoryDocument,
    "\n  mutation CourierGoOnline($l: LocationInput!, $v: Vehicle) { goOnline(location: $l, vehicle: $v) { id status } }\n": types.CourierGoOnlineDocument,
    "\n  mutation CourierGoOffline { goOffline { id status } }\n": types.CourierGoOfflineDocument,
    "\n  mutation CourierPing($l: LocationInput!) { updateLocation(location: $l) { id status lastLocation { lat lng } } }\n": types.CourierPingDocument,
    "\n  mutation CourierAccept($o: ID!) { acceptOffer(orderId: $o) { ...CourierDelivery } }\n": types.CourierAcceptDocument,
    "\n  mutation CourierDecline($o: ID!) { declineOffer(orderId: $o) }\n": types.CourierDeclineDocument,
    "\n  subscription CourierOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }\n": types.CourierOffersDocument,
    "mutation CourierEnrouteToPickup($d: ID!) { markEnrouteToPickup(deliveryId: $d) { ...CourierDelivery } }": types.CourierEnrouteToPickupDocument,
    "mutation CourierArrivedAtPickup($d: ID!) { markArrivedAtPickup(deliveryId: $d) { ...CourierDelivery } }": types.CourierArrivedAtPickupDocument,
    "mutation CourierPickedUp($d: ID!) { markPickedUp(deliveryId: $d) { ...CourierDelivery } }": types.CourierPickedUpDocument,
    "mutation CourierEnrouteToDropoff($d: ID!) { markEnrouteToDropoff(deliveryId: $d) { ...CourierDelivery } }": types.CourierEnrouteToDropoffDocument,
    "mutation CourierArrivedAtDropoff($d: ID!) { markArrivedAtDropoff(deliveryId: $d) { ...CourierDelivery } }": types.CourierArrivedAtDropoffDocument,
    "mutation CourierDelivered($d: ID!) { markDelivered(deliveryId: $d) { ...CourierDelivery } }": types.CourierDeliveredDocument,
    "\n  query KitchenRestaurants { restaurants(first: 100) { edges { node { id name } } } }\n": types.KitchenRestaurantsDocument,
    "\n  query KitchenRestaurant($id: ID!) {\n    restaurant(id: $id) {\n      id name paused pauseReason isOpen currency version\n      menu { version currency editedAt editedBy { id name } categories { id name items { id name available price { amountMinor currency } } } }\n    }\n  }\n": types.KitchenRestaurantDocument,
    "\n  subscription KitchenOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence from to at actor reason }\n      order {\n        id status acceptBy placedAt\n        total { amountMinor currency }\n        lines { name quantity options { id name } }\n      }\n    }\n  }\n": types.KitchenOrdersDocument,
    "mutation KitchenAccept($id: ID!) { acceptOrder(id: $id) { id status } }": types.KitchenAcceptDocument,
    "mutation KitchenReject($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id status } }": types.KitchenRejectDocument,
    "mutation KitchenPreparing($id: ID!) { markPreparing(id: $id) { id status } }": types.KitchenPreparingDocument,
    "mutation KitchenReady($id: ID!) { markReady(id: $id) { id status } }": types.KitchenReadyDocument,
    "mutation KitchenPause($id: ID!, $reason: String) { pauseRestaurant(id: $id, reason: $reason) { id paused pauseReason isOpen } }": types.KitchenPauseDocument,
    "mutation KitchenResume($id: ID!) { resumeRestaurant(id: $id) { id paused pauseReason isOpen } }": types.KitchenResumeDocument,
    "\n  mutation KitchenPrices($r: ID!, $v: Int!, $changes: [PriceChangeInput!]!) {\n    changePrices(restaurantId: $r, expectedMenuVersion: $v, changes: $changes) {\n      id menu { version categories { id items { id price { amountMinor currency } } } }\n    }\n  }\n": types.KitchenPricesDocument,
    "\n  mutation KitchenAvailability($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id available } }\n": types.KitchenAvailabilityDocument,
    "mutation KitchenAddStaff($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }": types.KitchenAddStaffDocument,
    "mutation KitchenRemoveStaff($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }": types.KitchenRemoveStaffDocument,
    "\n  query KitchenTeam($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }\n": types.KitchenTeamDocument,
    "\n  query KitchenSales($range: AnalyticsRange!) { salesSeries(range: $range, bucket: DAY) { totalOrders totalGmvMinor } }\n": types.KitchenSalesDocument,
    "\n  query KitchenHours($id: ID!) {\n    restaurant(id: $id) { id isOpen openingHours { timeZone version editedAt editedBy { id name } days { day ranges { open close } } } }\n  }\n": types.KitchenHoursDocument,
    "\n  mutation KitchenSetHours($r: ID!, $v: Int!, $h: OpeningHoursInput!) {\n    setOpeningHours(restaurantId: $r, expectedVersion: $v, openingHours: $h) { id isOpen openingHours { timeZone version } }\n  }\n": types.KitchenSetHoursDocument,
    "\n  query KitchenMenuOptions($id: ID!) {\n    restaurant(id: $id) {\n      id currency\n      menu {\n        version currency editedAt editedBy { id name }\n        categories { id name items { id name description available tags imageUrl price { amountMinor currency }\n          optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } } } }\n      }\n    }\n  }\n": types.KitchenMenuOptionsDocument,
    "\n  mutation KitchenUpdateMenu($r: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $r, expectedMenuVersion: $v, menu: $m) { id menu { version } } }\n": types.KitchenUpdateMenuDocument,
    "\n  fragment AuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    user { id name email roles }\n  }\n": types.AuthFieldsFragmentDoc,
    "\n  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }\n": types.RegisterDocument,
    "\n  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }\n": types.LoginDocument,
    "\n  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }\n": types.RefreshDocument,
    "\n  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }\n": types.LogoutDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AdminDrivers($box: BBoxInput!) { driversInArea(bbox: $box) { driverId status at location { lat lng } } }\n"): (typeof documents)["\n  subscription AdminDrivers($box: BBoxInput!) { driversInArea(bbox: $box) { driverId status at location { lat lng } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AdminRestaurantOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence to at actor reason }\n      order { id status placedAt driverId total { amountMinor currency } deliveryLocation { lat lng } restaurant { id name location { lat lng } } }\n    }\n  }\n"): (typeof documents)["\n  subscription AdminRestaurantOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence to at actor reason }\n      order { id status placedAt driverId total { amountMinor currency } deliveryLocation { lat lng } restaurant { id name location { lat lng } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt acceptBy driverId\n      customer { id name }\n      restaurant { id name }\n      total { amountMinor currency }\n      timeline { sequence from to at actor reason }\n      delivery { id status driver { id } timeline { from to at actor } }\n      payment { status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } refunds { amount { amountMinor currency } reason } }\n    }\n  }\n"): (typeof documents)["\n  query AdminOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt acceptBy driverId\n      customer { id name }\n      restaurant { id name }\n      total { amountMinor currency }\n      timeline { sequence from to at actor reason }\n      delivery { id status driver { id } timeline { from to at actor } }\n      payment { status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } refunds { amount { amountMinor currency } reason } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRefund($o: ID!, $amount: WalletMoneyInput, $reason: String!, $key: String!) {\n    refundOrder(orderId: $o, amount: $amount, reason: $reason, idempotencyKey: $key) { transactionId replayed payment { status refunded { amountMinor currency } } }\n  }\n"): (typeof documents)["\n  mutation AdminRefund($o: ID!, $amount: WalletMoneyInput, $reason: String!, $key: String!) {\n    refundOrder(orderId: $o, amount: $amount, reason: $reason, idempotencyKey: $key) { transactionId replayed payment { status refunded { amountMinor currency } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUser($id: ID!) { user(id: $id) { id name email roles disabled createdAt wallet { balances { amountMinor currency } loyaltyPoints } } }\n"): (typeof documents)["\n  query AdminUser($id: ID!) { user(id: $id) { id name email roles disabled createdAt wallet { balances { amountMinor currency } loyaltyPoints } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminAssignRole($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }"): (typeof documents)["mutation AdminAssignRole($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminRevokeRole($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }"): (typeof documents)["mutation AdminRevokeRole($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAudit { walletAuditVerification { intact accounts rows problems checkedAt } }\n"): (typeof documents)["\n  query AdminAudit { walletAuditVerification { intact accounts rows problems checkedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminDeadLetterTopics { deadLetterTopics { name originalTopic count pending oldestFailedAt newestFailedAt } }\n"): (typeof documents)["\n  query AdminDeadLetterTopics { deadLetterTopics { name originalTopic count pending oldestFailedAt newestFailedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminDeadLetters($topic: String!, $first: Int, $after: String) {\n    deadLetters(topic: $topic, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id originalTopic originalPartition originalOffset key eventId eventType consumerGroup error attempts failedAt\n          payloadPreview replayState actedAt actedBy\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminDeadLetters($topic: String!, $first: Int, $after: String) {\n    deadLetters(topic: $topic, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id originalTopic originalPartition originalOffset key eventId eventType consumerGroup error attempts failedAt\n          payloadPreview replayState actedAt actedBy\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }\n"): (typeof documents)["\n  mutation AdminReplayDeadLetter($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminReplayDeadLetters($topic: String!) { replayDeadLetters(topic: $topic) { republished alreadyReplayed } }\n"): (typeof documents)["\n  mutation AdminReplayDeadLetters($topic: String!) { replayDeadLetters(topic: $topic) { republished alreadyReplayed } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id replayState } }\n"): (typeof documents)["\n  mutation AdminDiscardDeadLetter($id: ID!) { discardDeadLetter(id: $id) { id replayState } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($s: String, $r: Role, $n: Int, $a: String) {\n    users(search: $s, role: $r, first: $n, after: $a) {\n      edges { cursor node { id name email roles disabled } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($s: String, $r: Role, $n: Int, $a: String) {\n    users(search: $s, role: $r, first: $n, after: $a) {\n      edges { cursor node { id name email roles disabled } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminRoleChanges($u: ID!) { roleChanges(userId: $u, first: 20) { role change at actor { id name } } }\n"): (typeof documents)["\n  query AdminRoleChanges($u: ID!) { roleChanges(userId: $u, first: 20) { role change at actor { id name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CartQuote($input: QuoteInput!) {\n    quote(input: $input) {\n      restaurantId currency available restaurantOpen menuVersion\n      subtotal { amountMinor currency }\n      lines { name quantity available unavailableReason lineTotal { amountMinor currency } options { id name } }\n    }\n  }\n"): (typeof documents)["\n  query CartQuote($input: QuoteInput!) {\n    quote(input: $input) {\n      restaurantId currency available restaurantOpen menuVersion\n      subtotal { amountMinor currency }\n      lines { name quantity available unavailableReason lineTotal { amountMinor currency } options { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PointsPreview($total: WalletMoneyInput!, $points: Int64) {\n    redeemPointsPreview(orderTotal: $total, points: $points) {\n      points balance\n      covered { amountMinor currency }\n      remaining { amountMinor currency }\n    }\n  }\n"): (typeof documents)["\n  query PointsPreview($total: WalletMoneyInput!, $points: Int64) {\n    redeemPointsPreview(orderTotal: $total, points: $points) {\n      points balance\n      covered { amountMinor currency }\n      remaining { amountMinor currency }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {\n    placeOrder(input: $input, idempotencyKey: $key) { id status total { amountMinor currency } }\n  }\n"): (typeof documents)["\n  mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {\n    placeOrder(input: $input, idempotencyKey: $key) { id status total { amountMinor currency } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders {\n    me {\n      id\n      orders(first: 20) {\n        edges { node { id status placedAt total { amountMinor currency } restaurant { id name } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyOrders {\n    me {\n      id\n      orders(first: 20) {\n        edges { node { id status placedAt total { amountMinor currency } restaurant { id name } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt pointsRedeemed driverId\n      total { amountMinor currency }\n      subtotal { amountMinor currency }\n      deliveryFee { amountMinor currency }\n      restaurant { id name location { lat lng } }\n      deliveryLocation { lat lng }\n      lines { name quantity lineTotal { amountMinor currency } options { id name } }\n      timeline { sequence from to at actor reason }\n      payment { status settled pointsRedeemed amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } }\n    }\n  }\n"): (typeof documents)["\n  query LiveOrder($id: ID!) {\n    order(id: $id) {\n      id status placedAt pointsRedeemed driverId\n      total { amountMinor currency }\n      subtotal { amountMinor currency }\n      deliveryFee { amountMinor currency }\n      restaurant { id name location { lat lng } }\n      deliveryLocation { lat lng }\n      lines { name quantity lineTotal { amountMinor currency } options { id name } }\n      timeline { sequence from to at actor reason }\n      payment { status settled pointsRedeemed amountPaidFromWallet { amountMinor currency } refunded { amountMinor currency } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderUpdated($id: ID!, $since: Int) {\n    orderUpdated(id: $id, since: $since) {\n      transition { sequence from to at actor reason }\n      order { id status driverId }\n    }\n  }\n"): (typeof documents)["\n  subscription OrderUpdated($id: ID!, $since: Int) {\n    orderUpdated(id: $id, since: $since) {\n      transition { sequence from to at actor reason }\n      order { id status driverId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeliveryTracking($orderId: ID!) {\n    deliveryTracking(orderId: $orderId) { orderId driverId deliveryStatus etaSeconds at location { lat lng } }\n  }\n"): (typeof documents)["\n  subscription DeliveryTracking($orderId: ID!) {\n    deliveryTracking(orderId: $orderId) { orderId driverId deliveryStatus etaSeconds at location { lat lng } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status } }\n"): (typeof documents)["\n  mutation CancelOrder($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RestaurantMenu($id: ID!) {\n    restaurant(id: $id) {\n      id name description cuisines isOpen currency prepTimeMinutes\n      address { line1 city }\n      menu {\n        version currency\n        categories {\n          id name\n          items {\n            id name description available tags\n            price { amountMinor currency }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RestaurantMenu($id: ID!) {\n    restaurant(id: $id) {\n      id name description cuisines isOpen currency prepTimeMinutes\n      address { line1 city }\n      menu {\n        version currency\n        categories {\n          id name\n          items {\n            id name description available tags\n            price { amountMinor currency }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ItemOptions($id: ID!) {\n    menuItem(id: $id) {\n      id\n      optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } }\n    }\n  }\n"): (typeof documents)["\n  query ItemOptions($id: ID!) {\n    menuItem(id: $id) {\n      id\n      optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes location { lat lng } }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes location { lat lng } }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n"): (typeof documents)["\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n"): (typeof documents)["\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n"): (typeof documents)["\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourierHome {\n    me {\n      id name roles\n      driver {\n        id status vehicle\n        lastLocation { lat lng }\n        currentOffer { orderId expiresAt pickup { lat lng } dropoff { lat lng } }\n        currentDelivery { ...CourierDelivery }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourierHome {\n    me {\n      id name roles\n      driver {\n        id status vehicle\n        lastLocation { lat lng }\n        currentOffer { orderId expiresAt pickup { lat lng } dropoff { lat lng } }\n        currentDelivery { ...CourierDelivery }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CourierDelivery on Delivery {\n    id status pickupEta dropoffEta\n    order { id }\n    pickup { lat lng }\n    dropoff { lat lng }\n    timeline { from to at actor }\n  }\n"): (typeof documents)["\n  fragment CourierDelivery on Delivery {\n    id status pickupEta dropoffEta\n    order { id }\n    pickup { lat lng }\n    dropoff { lat lng }\n    timeline { from to at actor }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourierEarningsAndHistory($id: ID!, $since: String!) {\n    wallet(userId: $id) { courierEarnings(since: $since) { amount { amountMinor currency } orders } }\n    driver(id: $id) { id deliveries(first: 10) { id status order { id } timeline { to at } } }\n  }\n"): (typeof documents)["\n  query CourierEarningsAndHistory($id: ID!, $since: String!) {\n    wallet(userId: $id) { courierEarnings(since: $since) { amount { amountMinor currency } orders } }\n    driver(id: $id) { id deliveries(first: 10) { id status order { id } timeline { to at } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CourierGoOnline($l: LocationInput!, $v: Vehicle) { goOnline(location: $l, vehicle: $v) { id status } }\n"): (typeof documents)["\n  mutation CourierGoOnline($l: LocationInput!, $v: Vehicle) { goOnline(location: $l, vehicle: $v) { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CourierGoOffline { goOffline { id status } }\n"): (typeof documents)["\n  mutation CourierGoOffline { goOffline { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CourierPing($l: LocationInput!) { updateLocation(location: $l) { id status lastLocation { lat lng } } }\n"): (typeof documents)["\n  mutation CourierPing($l: LocationInput!) { updateLocation(location: $l) { id status lastLocation { lat lng } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CourierAccept($o: ID!) { acceptOffer(orderId: $o) { ...CourierDelivery } }\n"): (typeof documents)["\n  mutation CourierAccept($o: ID!) { acceptOffer(orderId: $o) { ...CourierDelivery } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CourierDecline($o: ID!) { declineOffer(orderId: $o) }\n"): (typeof documents)["\n  mutation CourierDecline($o: ID!) { declineOffer(orderId: $o) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CourierOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }\n"): (typeof documents)["\n  subscription CourierOffers { driverOffers { orderId expiresAt pickup { lat lng } dropoff { lat lng } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierEnrouteToPickup($d: ID!) { markEnrouteToPickup(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierEnrouteToPickup($d: ID!) { markEnrouteToPickup(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierArrivedAtPickup($d: ID!) { markArrivedAtPickup(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierArrivedAtPickup($d: ID!) { markArrivedAtPickup(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierPickedUp($d: ID!) { markPickedUp(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierPickedUp($d: ID!) { markPickedUp(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierEnrouteToDropoff($d: ID!) { markEnrouteToDropoff(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierEnrouteToDropoff($d: ID!) { markEnrouteToDropoff(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierArrivedAtDropoff($d: ID!) { markArrivedAtDropoff(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierArrivedAtDropoff($d: ID!) { markArrivedAtDropoff(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CourierDelivered($d: ID!) { markDelivered(deliveryId: $d) { ...CourierDelivery } }"): (typeof documents)["mutation CourierDelivered($d: ID!) { markDelivered(deliveryId: $d) { ...CourierDelivery } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenRestaurants { restaurants(first: 100) { edges { node { id name } } } }\n"): (typeof documents)["\n  query KitchenRestaurants { restaurants(first: 100) { edges { node { id name } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenRestaurant($id: ID!) {\n    restaurant(id: $id) {\n      id name paused pauseReason isOpen currency version\n      menu { version currency editedAt editedBy { id name } categories { id name items { id name available price { amountMinor currency } } } }\n    }\n  }\n"): (typeof documents)["\n  query KitchenRestaurant($id: ID!) {\n    restaurant(id: $id) {\n      id name paused pauseReason isOpen currency version\n      menu { version currency editedAt editedBy { id name } categories { id name items { id name available price { amountMinor currency } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription KitchenOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence from to at actor reason }\n      order {\n        id status acceptBy placedAt\n        total { amountMinor currency }\n        lines { name quantity options { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription KitchenOrders($r: ID!) {\n    restaurantOrders(restaurantId: $r) {\n      transition { sequence from to at actor reason }\n      order {\n        id status acceptBy placedAt\n        total { amountMinor currency }\n        lines { name quantity options { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenAccept($id: ID!) { acceptOrder(id: $id) { id status } }"): (typeof documents)["mutation KitchenAccept($id: ID!) { acceptOrder(id: $id) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenReject($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id status } }"): (typeof documents)["mutation KitchenReject($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenPreparing($id: ID!) { markPreparing(id: $id) { id status } }"): (typeof documents)["mutation KitchenPreparing($id: ID!) { markPreparing(id: $id) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenReady($id: ID!) { markReady(id: $id) { id status } }"): (typeof documents)["mutation KitchenReady($id: ID!) { markReady(id: $id) { id status } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenPause($id: ID!, $reason: String) { pauseRestaurant(id: $id, reason: $reason) { id paused pauseReason isOpen } }"): (typeof documents)["mutation KitchenPause($id: ID!, $reason: String) { pauseRestaurant(id: $id, reason: $reason) { id paused pauseReason isOpen } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenResume($id: ID!) { resumeRestaurant(id: $id) { id paused pauseReason isOpen } }"): (typeof documents)["mutation KitchenResume($id: ID!) { resumeRestaurant(id: $id) { id paused pauseReason isOpen } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KitchenPrices($r: ID!, $v: Int!, $changes: [PriceChangeInput!]!) {\n    changePrices(restaurantId: $r, expectedMenuVersion: $v, changes: $changes) {\n      id menu { version categories { id items { id price { amountMinor currency } } } }\n    }\n  }\n"): (typeof documents)["\n  mutation KitchenPrices($r: ID!, $v: Int!, $changes: [PriceChangeInput!]!) {\n    changePrices(restaurantId: $r, expectedMenuVersion: $v, changes: $changes) {\n      id menu { version categories { id items { id price { amountMinor currency } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KitchenAvailability($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id available } }\n"): (typeof documents)["\n  mutation KitchenAvailability($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id available } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenAddStaff($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }"): (typeof documents)["mutation KitchenAddStaff($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation KitchenRemoveStaff($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }"): (typeof documents)["mutation KitchenRemoveStaff($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenTeam($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }\n"): (typeof documents)["\n  query KitchenTeam($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenSales($range: AnalyticsRange!) { salesSeries(range: $range, bucket: DAY) { totalOrders totalGmvMinor } }\n"): (typeof documents)["\n  query KitchenSales($range: AnalyticsRange!) { salesSeries(range: $range, bucket: DAY) { totalOrders totalGmvMinor } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenHours($id: ID!) {\n    restaurant(id: $id) { id isOpen openingHours { timeZone version editedAt editedBy { id name } days { day ranges { open close } } } }\n  }\n"): (typeof documents)["\n  query KitchenHours($id: ID!) {\n    restaurant(id: $id) { id isOpen openingHours { timeZone version editedAt editedBy { id name } days { day ranges { open close } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KitchenSetHours($r: ID!, $v: Int!, $h: OpeningHoursInput!) {\n    setOpeningHours(restaurantId: $r, expectedVersion: $v, openingHours: $h) { id isOpen openingHours { timeZone version } }\n  }\n"): (typeof documents)["\n  mutation KitchenSetHours($r: ID!, $v: Int!, $h: OpeningHoursInput!) {\n    setOpeningHours(restaurantId: $r, expectedVersion: $v, openingHours: $h) { id isOpen openingHours { timeZone version } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenMenuOptions($id: ID!) {\n    restaurant(id: $id) {\n      id currency\n      menu {\n        version currency editedAt editedBy { id name }\n        categories { id name items { id name description available tags imageUrl price { amountMinor currency }\n          optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query KitchenMenuOptions($id: ID!) {\n    restaurant(id: $id) {\n      id currency\n      menu {\n        version currency editedAt editedBy { id name }\n        categories { id name items { id name description available tags imageUrl price { amountMinor currency }\n          optionGroups { id name minChoices maxChoices options { id name available priceDelta { amountMinor currency } } } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KitchenUpdateMenu($r: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $r, expectedMenuVersion: $v, menu: $m) { id menu { version } } }\n"): (typeof documents)["\n  mutation KitchenUpdateMenu($r: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $r, expectedMenuVersion: $v, menu: $m) { id menu { version } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    user { id name email roles }\n  }\n"): (typeof documents)["\n  fragment AuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    user { id name email roles }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;