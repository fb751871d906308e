// Package adapters holds analytics' technology: the OLAP store in two backends behind
// app.Store — ClickHouse (clickhouse_store.go, through clickhouse-go v1's database/sql
// driver, native protocol) and embedded DuckDB (duckdb_store.go) — the SQL both run
// (olap_queries.go, one text per query with the dialect's few differences filled in), and
// the Kafka ingestion consumer (kafka_ingestion.go) with its metrics, and the dead-letter
// admin's Kafka side (kafka_deadletters.go: the <topic>.dlq topics and the action log).
package adapters
