// Package endpoints names where the shared services listen. Every address comes from a
// DIZHTIME_* environment variable with a loopback default that matches what
// deploy/local/services.sh starts, so code and tests agree without configuration.
package endpoints

import (
	"os"
	"strings"
)

// Environment variables naming each service.
const (
	PostgresEnv      = "DIZHTIME_POSTGRES_URL"
	RedisEnv         = "DIZHTIME_REDIS_ADDR"
	KafkaEnv         = "DIZHTIME_KAFKA_BROKERS"
	MongoEnv         = "DIZHTIME_MONGO_URI"
	ElasticsearchEnv = "DIZHTIME_ELASTICSEARCH_URL"
)

// Postgres is the PostgreSQL connection URL.
func Postgres() string {
	return get(PostgresEnv, "postgres://dizhtime:dizhtime@127.0.0.1:5432/dizhtime?sslmode=disable")
}

// Redis is the Redis host:port.
func Redis() string { return get(RedisEnv, "127.0.0.1:6379") }

// Kafka lists the Kafka bootstrap brokers (comma-separated in the environment).
func Kafka() []string {
	var brokers []string
	for _, b := range strings.Split(get(KafkaEnv, "127.0.0.1:9092"), ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	return brokers
}

// Mongo is the MongoDB-wire connection URI (FerretDB in tests).
func Mongo() string { return get(MongoEnv, "mongodb://127.0.0.1:27017/") }

// Elasticsearch is the Elasticsearch base URL.
func Elasticsearch() string { return get(ElasticsearchEnv, "http://127.0.0.1:9200") }

func get(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}
