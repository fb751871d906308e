// Package adapters implements search's ports: the index on Elasticsearch
// (elastic_index.go) and on Bleve (bleve_index.go), both passing one contract suite
// (index_contract_test.go); the Kafka consumer and event log of the restaurant topics
// (kafka_projection.go); and the Prometheus metrics (metrics.go).
//
// Why a search-specific index here rather than platform/searchindex: the read model
// needs geo filters and sorts, decay scoring, facets, integer ranges for opening hours,
// prefix suggestions, versioned read-modify-write and alias swaps. Those are this
// subgraph's needs; platform/searchindex stays the thin generic store client, and this
// package reuses its Elasticsearch connection (searchindex.ConnectElasticsearch).
package adapters
