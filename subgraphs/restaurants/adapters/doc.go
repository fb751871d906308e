// Package adapters connects the restaurants application to the outside: MongoDB (the
// restaurant documents with their pending events), the outbox relay that publishes
// those events to Kafka, the mapping of restaurants to event contracts, and identity's
// internal relations API.
package adapters
