// Package contracts holds the payload of every DizhTime event type, one Go type per
// version, and the same contracts as JSON Schema files (schema/<type>/v<N>.json, embedded
// as Schemas) for consumers outside Go.
//
// Rules for changing a contract, enforced by the tests:
//
//   - A published schema file never changes (schema/SHA256SUMS pins it). A change is a new
//     file v<N+1>.json and a new Go type <Name>V<N+1>.
//   - v<N+1> must stay compatible with v<N> in both directions, so producers and
//     consumers can upgrade in any order: it may add optional properties and enum values,
//     it may not remove a property, add a required one, make an optional one required or
//     the reverse, change a type or drop an enum value (see CheckCompatible). Consumers
//     therefore ignore unknown properties and tolerate unknown enum values. A change that
//     cannot follow these rules is a new event type.
//   - The Go type of each version and its schema describe the same properties, and sample
//     payloads of the Go type validate against the schema.
//
// Money is always integer minor units plus an ISO 4217 currency code, never a float.
package contracts
