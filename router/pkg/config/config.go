package config

import (
	"errors"
	"log/slog"
	"net"
	"time"

	platformconfig "github.com/dizhtime/dizhtime/platform/config"
)

// Config is router.yaml. Every key can be overridden from the environment as
// DIZHTIME_ROUTER_<KEY>, nested keys joined by "_" (DIZHTIME_ROUTER_LIMITS_MAX_DEPTH).
type Config struct {
	// ListenAddr is where the router serves HTTP, WebSocket and the ops endpoints.
	ListenAddr string `yaml:"listen_addr" env:"ROUTER_LISTEN_ADDR"`
	// GraphQLPath is the endpoint for queries, mutations and subscriptions.
	GraphQLPath string `yaml:"graphql_path" env:"ROUTER_GRAPHQL_PATH"`
	// SupergraphFile is supergraph.yaml, relative to the working directory.
	SupergraphFile string `yaml:"supergraph_file" env:"ROUTER_SUPERGRAPH_FILE"`
	// Introspection allows __schema and __type queries.
	Introspection bool `yaml:"introspection" env:"ROUTER_INTROSPECTION"`
	// Explorer serves GraphiQL at / to browsers.
	Explorer bool `yaml:"explorer" env:"ROUTER_EXPLORER"`
	// SubgraphTimeout bounds one fetch from a subgraph (supergraph.yaml may set one per subgraph).
	SubgraphTimeout time.Duration `yaml:"subgraph_timeout" env:"ROUTER_SUBGRAPH_TIMEOUT"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level" env:"ROUTER_LOG_LEVEL"`
	// ShutdownTimeout bounds how long in-flight requests may drain after SIGTERM.
	ShutdownTimeout  time.Duration            `yaml:"shutdown_timeout" env:"ROUTER_SHUTDOWN_TIMEOUT"`
	Telemetry        platformconfig.Telemetry `yaml:"telemetry" envPrefix:"ROUTER_TELEMETRY_"`
	Limits           Limits                   `yaml:"limits" envPrefix:"ROUTER_LIMITS_"`
	Subscriptions    Subscriptions            `yaml:"subscriptions" envPrefix:"ROUTER_SUBSCRIPTIONS_"`
	HotReload        HotReload                `yaml:"hot_reload" envPrefix:"ROUTER_HOT_RELOAD_"`
	PersistedQueries PersistedQueries         `yaml:"persisted_queries" envPrefix:"ROUTER_PERSISTED_QUERIES_"`
	Headers          Headers                  `yaml:"headers" envPrefix:"ROUTER_HEADERS_"`
}

// Limits protect the router and the subgraphs from oversized requests. A zero limit is off.
type Limits struct {
	MaxRequestBodyBytes int64 `yaml:"max_request_body_bytes" env:"MAX_REQUEST_BODY_BYTES"`
	// MaxConcurrentResolvers bounds operations resolved at once.
	MaxConcurrentResolvers int `yaml:"max_concurrent_resolvers" env:"MAX_CONCURRENT_RESOLVERS"`
	// MaxDepth bounds selection-set nesting (fragments included).
	MaxDepth int `yaml:"max_depth" env:"MAX_DEPTH"`
	// MaxAliases bounds the aliased fields in one operation.
	MaxAliases int `yaml:"max_aliases" env:"MAX_ALIASES"`
	// MaxRootFields bounds the fields selected on the operation's root type.
	MaxRootFields int `yaml:"max_root_fields" env:"MAX_ROOT_FIELDS"`
	// MaxFields bounds the total field selections (the operation's complexity).
	MaxFields int `yaml:"max_fields" env:"MAX_FIELDS"`
	// RequestTimeout bounds one query or mutation end to end.
	RequestTimeout time.Duration `yaml:"request_timeout" env:"REQUEST_TIMEOUT"`
}

// Subscriptions tunes client-facing subscriptions.
type Subscriptions struct {
	KeepAliveInterval     time.Duration `yaml:"keep_alive_interval" env:"KEEP_ALIVE_INTERVAL"`
	ConnectionInitTimeout time.Duration `yaml:"connection_init_timeout" env:"CONNECTION_INIT_TIMEOUT"`
}

// HotReload watches supergraph.yaml and the SDL files it names.
type HotReload struct {
	Enabled      bool          `yaml:"enabled" env:"ENABLED"`
	PollInterval time.Duration `yaml:"poll_interval" env:"POLL_INTERVAL"`
}

// PersistedQueries configures automatic persisted queries and the safelist.
type PersistedQueries struct {
	// APQ accepts Apollo automatic persisted queries (extensions.persistedQuery).
	APQ bool `yaml:"apq" env:"APQ"`
	// APQCacheSize is how many persisted queries are kept in memory (LRU).
	APQCacheSize int `yaml:"apq_cache_size" env:"APQ_CACHE_SIZE"`
	// SafelistFile is a JSON manifest of allowed operations; when set, only those run.
	SafelistFile string `yaml:"safelist_file" env:"SAFELIST_FILE"`
}

// Headers says which client request headers are forwarded to subgraphs.
type Headers struct {
	Propagate []string `yaml:"propagate" env:"PROPAGATE"`
}

// Default returns a configuration that runs on a laptop.
func Default() Config {
	return Config{
		ListenAddr:      "127.0.0.1:4000",
		GraphQLPath:     "/graphql",
		SupergraphFile:  "supergraph.yaml",
		Introspection:   true,
		Explorer:        true,
		SubgraphTimeout: 10 * time.Second,
		LogLevel:        "info",
		ShutdownTimeout: 15 * time.Second,
		Telemetry:       platformconfig.Telemetry{SampleRatio: 1},
		Limits: Limits{
			MaxRequestBodyBytes:    1 << 20,
			MaxConcurrentResolvers: 64,
			MaxDepth:               15,
			MaxAliases:             30,
			MaxRootFields:          20,
			MaxFields:              500,
			RequestTimeout:         30 * time.Second,
		},
		Subscriptions: Subscriptions{
			KeepAliveInterval:     15 * time.Second,
			ConnectionInitTimeout: 10 * time.Second,
		},
		HotReload:        HotReload{Enabled: true, PollInterval: time.Second},
		PersistedQueries: PersistedQueries{APQ: true, APQCacheSize: 1000},
		Headers:          Headers{Propagate: []string{"Authorization", "Accept-Language"}},
	}
}

// Load reads router.yaml over the defaults (path "" means defaults only), then applies
// DIZHTIME_ROUTER_* environment overrides, then validates, naming each bad key.
func Load(path string) (Config, error) {
	cfg := Default()
	if err := platformconfig.Load("router", path, &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Level is LogLevel as a slog.Level.
func (c Config) Level() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Validate reports every bad value.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, platformconfig.Invalid(key, format, args...))
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		bad("listen_addr", "must be host:port, got %q", c.ListenAddr)
	}
	if len(c.GraphQLPath) < 2 || c.GraphQLPath[0] != '/' {
		bad("graphql_path", "must start with / and name a path, got %q", c.GraphQLPath)
	}
	if c.SubgraphTimeout <= 0 {
		bad("subgraph_timeout", "must be positive, got %s", c.SubgraphTimeout)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.ShutdownTimeout <= 0 {
		bad("shutdown_timeout", "must be positive, got %s", c.ShutdownTimeout)
	}
	l := c.Limits
	if l.MaxRequestBodyBytes <= 0 {
		bad("limits.max_request_body_bytes", "must be positive, got %d", l.MaxRequestBodyBytes)
	}
	for key, v := range map[string]int{
		"limits.max_concurrent_resolvers": l.MaxConcurrentResolvers,
		"limits.max_depth":                l.MaxDepth,
		"limits.max_aliases":              l.MaxAliases,
		"limits.max_root_fields":          l.MaxRootFields,
		"limits.max_fields":               l.MaxFields,
	} {
		if v < 0 {
			bad(key, "must not be negative (0 turns the limit off), got %d", v)
		}
	}
	if l.RequestTimeout < 0 {
		bad("limits.request_timeout", "must not be negative (0 turns the limit off), got %s", l.RequestTimeout)
	}
	if c.Subscriptions.KeepAliveInterval <= 0 {
		bad("subscriptions.keep_alive_interval", "must be positive, got %s", c.Subscriptions.KeepAliveInterval)
	}
	if c.Subscriptions.ConnectionInitTimeout <= 0 {
		bad("subscriptions.connection_init_timeout", "must be positive, got %s", c.Subscriptions.ConnectionInitTimeout)
	}
	if c.HotReload.Enabled && c.HotReload.PollInterval <= 0 {
		bad("hot_reload.poll_interval", "must be positive when hot_reload is enabled, got %s", c.HotReload.PollInterval)
	}
	if c.PersistedQueries.APQ && c.PersistedQueries.APQCacheSize <= 0 {
		bad("persisted_queries.apq_cache_size", "must be positive when apq is on, got %d", c.PersistedQueries.APQCacheSize)
	}
	return errors.Join(errs...)
}
