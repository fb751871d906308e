// Package service wires search: configuration, the index backend, the projection
// consumer, the rebuild, and the HTTP handler (GraphQL at /query).
package service

import (
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// Index backends.
const (
	BackendElasticsearch = "elasticsearch"
	BackendBleve         = "bleve"
)

// Config is search's configuration (YAML, then DIZHTIME_* env).
type Config struct {
	config.Base `yaml:",inline"`
	// IndexBackend is elasticsearch (tests, production) or bleve (the embedded default).
	IndexBackend     string `yaml:"index_backend" env:"SEARCH_INDEX_BACKEND"`
	ElasticsearchURL string `yaml:"elasticsearch_url" env:"ELASTICSEARCH_URL"`
	BleveDir         string `yaml:"bleve_dir" env:"SEARCH_BLEVE_DIR"`
	// IndexAlias is the name readers and the consumer use; rebuilds move it.
	IndexAlias    string   `yaml:"index_alias" env:"SEARCH_INDEX_ALIAS"`
	KafkaBrokers  []string `yaml:"kafka_brokers" env:"KAFKA_BROKERS" envSeparator:","`
	ConsumerGroup string   `yaml:"consumer_group" env:"SEARCH_CONSUMER_GROUP"`
	// Topics default to restaurant.updated and restaurant.menu.update.
	TopicRestaurantUpdated    string `yaml:"topic_restaurant_updated" env:"SEARCH_TOPIC_RESTAURANT_UPDATED"`
	TopicRestaurantMenuUpdate string `yaml:"topic_restaurant_menu_update" env:"SEARCH_TOPIC_RESTAURANT_MENU_UPDATE"`
}

// DefaultConfig runs on a laptop against the local services.
func DefaultConfig() Config {
	base := config.DefaultBase("search")
	base.HTTPAddr = "127.0.0.1:4006"
	return Config{
		Base:                      base,
		IndexBackend:              BackendElasticsearch,
		ElasticsearchURL:          endpoints.Elasticsearch(),
		BleveDir:                  ".dizhtime/search",
		IndexAlias:                "restaurants",
		KafkaBrokers:              endpoints.Kafka(),
		ConsumerGroup:             "search-projection",
		TopicRestaurantUpdated:    "restaurant.updated",
		TopicRestaurantMenuUpdate: "restaurant.menu.update",
	}
}

// Validate reports the first bad value.
func (c Config) Validate() error {
	if err := c.Base.Validate(); err != nil {
		return err
	}
	switch {
	case c.IndexBackend != BackendElasticsearch && c.IndexBackend != BackendBleve:
		return config.Invalid("index_backend", "must be elasticsearch or bleve, got %q", c.IndexBackend)
	case c.IndexBackend == BackendElasticsearch && c.ElasticsearchURL == "":
		return config.Invalid("elasticsearch_url", "is required with the elasticsearch backend")
	case c.IndexBackend == BackendBleve && c.BleveDir == "":
		return config.Invalid("bleve_dir", "is required with the bleve backend")
	case c.IndexAlias == "":
		return config.Invalid("index_alias", "is required")
	case len(c.KafkaBrokers) == 0:
		return config.Invalid("kafka_brokers", "is required")
	case c.ConsumerGroup == "":
		return config.Invalid("consumer_group", "is required")
	case c.TopicRestaurantUpdated == "" || c.TopicRestaurantMenuUpdate == "":
		return config.Invalid("topic_restaurant_updated", "both restaurant topics are required")
	}
	return nil
}
