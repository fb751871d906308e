package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is router.yaml.
type Config struct {
	// ListenAddr is where the router serves HTTP and WebSocket.
	ListenAddr string `yaml:"listen_addr"`
	// GraphQLPath is the endpoint for queries, mutations and subscriptions.
	GraphQLPath string `yaml:"graphql_path"`
	// SupergraphFile is supergraph.yaml, relative to the working directory.
	SupergraphFile string `yaml:"supergraph_file"`
	// Introspection allows __schema and __type queries.
	Introspection bool `yaml:"introspection"`
	// SubgraphTimeout bounds one fetch from a subgraph.
	SubgraphTimeout time.Duration `yaml:"subgraph_timeout"`
	Limits          Limits        `yaml:"limits"`
	Subscriptions   Subscriptions `yaml:"subscriptions"`
}

// Limits protect the router from oversized requests.
type Limits struct {
	MaxRequestBodyBytes int64 `yaml:"max_request_body_bytes"`
	// MaxConcurrentResolvers bounds operations resolved at once.
	MaxConcurrentResolvers int `yaml:"max_concurrent_resolvers"`
}

// Subscriptions tunes client-facing subscriptions.
type Subscriptions struct {
	KeepAliveInterval     time.Duration `yaml:"keep_alive_interval"`
	ConnectionInitTimeout time.Duration `yaml:"connection_init_timeout"`
}

// Default returns a configuration that runs on a laptop.
func Default() Config {
	return Config{
		ListenAddr:      "127.0.0.1:4000",
		GraphQLPath:     "/graphql",
		SupergraphFile:  "supergraph.yaml",
		Introspection:   true,
		SubgraphTimeout: 10 * time.Second,
		Limits: Limits{
			MaxRequestBodyBytes:    1 << 20,
			MaxConcurrentResolvers: 64,
		},
		Subscriptions: Subscriptions{
			KeepAliveInterval:     15 * time.Second,
			ConnectionInitTimeout: 10 * time.Second,
		},
	}
}

// Load reads router.yaml over the defaults (path "" means defaults only), then applies
// DIZHTIME_ROUTER_* environment overrides, then validates.
func Load(path string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read router config: %w", err)
		}
		if err := decodeStrict(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("router config %s: %w", path, err)
		}
	}
	if err := cfg.applyEnv(os.LookupEnv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("router config: %w", err)
	}
	return cfg, nil
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	str := func(key string, dst *string) {
		if v, ok := lookup(key); ok {
			*dst = v
		}
	}
	str("DIZHTIME_ROUTER_LISTEN_ADDR", &c.ListenAddr)
	str("DIZHTIME_ROUTER_GRAPHQL_PATH", &c.GraphQLPath)
	str("DIZHTIME_ROUTER_SUPERGRAPH_FILE", &c.SupergraphFile)
	if v, ok := lookup("DIZHTIME_ROUTER_INTROSPECTION"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("DIZHTIME_ROUTER_INTROSPECTION: %w", err)
		}
		c.Introspection = b
	}
	if v, ok := lookup("DIZHTIME_ROUTER_SUBGRAPH_TIMEOUT"); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("DIZHTIME_ROUTER_SUBGRAPH_TIMEOUT: %w", err)
		}
		c.SubgraphTimeout = d
	}
	return nil
}

// Validate reports every bad value.
func (c *Config) Validate() error {
	var errs []error
	if c.ListenAddr == "" {
		errs = append(errs, errors.New("listen_addr is required"))
	}
	if len(c.GraphQLPath) == 0 || c.GraphQLPath[0] != '/' {
		errs = append(errs, fmt.Errorf("graphql_path %q must start with /", c.GraphQLPath))
	}
	if c.SubgraphTimeout <= 0 {
		errs = append(errs, errors.New("subgraph_timeout must be positive"))
	}
	if c.Limits.MaxRequestBodyBytes <= 0 {
		errs = append(errs, errors.New("limits.max_request_body_bytes must be positive"))
	}
	if c.Limits.MaxConcurrentResolvers < 0 {
		errs = append(errs, errors.New("limits.max_concurrent_resolvers must not be negative"))
	}
	if c.Subscriptions.KeepAliveInterval <= 0 {
		errs = append(errs, errors.New("subscriptions.keep_alive_interval must be positive"))
	}
	if c.Subscriptions.ConnectionInitTimeout <= 0 {
		errs = append(errs, errors.New("subscriptions.connection_init_timeout must be positive"))
	}
	return errors.Join(errs...)
}
