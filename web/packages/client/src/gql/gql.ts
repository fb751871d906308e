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
    "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n": typeof types.SearchRestaurantsDocument,
    "\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n": typeof types.SuggestDocument,
    "\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n": typeof types.MyWalletDocument,
    "\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n": typeof types.TopUpDocument,
    "\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n": typeof types.TopUpIntentDocument,
    "\n  fragment AuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    user { id name email roles }\n  }\n": typeof types.AuthFieldsFragmentDoc,
    "\n  mutation Register($input: RegisterInput!) { register(input: $input) { ...AuthFields } }\n": typeof types.RegisterDocument,
    "\n  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...AuthFields } }\n": typeof types.LoginDocument,
    "\n  mutation Refresh($refreshToken: String!) { refresh(refreshToken: $refreshToken) { ...AuthFields } }\n": typeof types.RefreshDocument,
    "\n  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }\n": typeof types.LogoutDocument,
};
const documents: Documents = {
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
    "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n": types.SearchRestaurantsDocument,
    "\n  query Suggest($prefix: String!, $near: GeoPointInput) {\n    suggest(prefix: $prefix, near: $near, first: 6) { text kind restaurant { id } }\n  }\n": types.SuggestDocument,
    "\n  query MyWallet($userId: ID!, $first: Int) {\n    wallet(userId: $userId) {\n      userId\n      loyaltyPoints\n      balances { amountMinor currency }\n      transactions(first: $first) {\n        edges { node { id kind orderId reason createdAt amount { amountMinor currency } } }\n      }\n    }\n  }\n": types.MyWalletDocument,
    "\n  mutation TopUp($amount: WalletMoneyInput!, $key: String!) {\n    topUp(amount: $amount, idempotencyKey: $key) { id status declineReason amount { amountMinor currency } }\n  }\n": types.TopUpDocument,
    "\n  query TopUpIntent($id: ID!) { topUpIntent(id: $id) { id status declineReason } }\n": types.TopUpIntentDocument,
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
export function graphql(source: "\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchRestaurants($query: String, $near: GeoPointInput, $radiusMeters: Int, $filters: RestaurantSearchFilters, $sort: RestaurantSearchSort) {\n    searchRestaurants(query: $query, near: $near, radiusMeters: $radiusMeters, filters: $filters, sort: $sort, first: 20) {\n      totalCount\n      facets { cuisines { value count } priceLevels { value count } }\n      edges {\n        node {\n          distanceMeters\n          restaurant { id name cuisines isOpen priceLevel rating prepTimeMinutes }\n          matchedDishes { name highlight price { amountMinor currency } dish { id } }\n        }\n      }\n    }\n  }\n"];
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