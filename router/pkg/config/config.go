package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	// CompositionCacheDir keeps composition results by input hash so a restart with
	// unchanged subgraphs does not compose again ("" turns the disk cache off).
	CompositionCacheDir string `yaml:"composition_cache_dir" env:"ROUTER_COMPOSITION_CACHE_DIR"`
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
	Connections      Connections              `yaml:"connections" envPrefix:"ROUTER_CONNECTIONS_"`
	PersistedQueries PersistedQueries         `yaml:"persisted_queries" envPrefix:"ROUTER_PERSISTED_QUERIES_"`
	Headers          Headers                  `yaml:"headers" envPrefix:"ROUTER_HEADERS_"`
	Auth             Auth                     `yaml:"auth" envPrefix:"ROUTER_AUTH_"`
	RateLimit        RateLimit                `yaml:"rate_limit" envPrefix:"ROUTER_RATE_LIMIT_"`
	CORS             CORS                     `yaml:"cors" envPrefix:"ROUTER_CORS_"`
	Deduplication    Deduplication            `yaml:"deduplication" envPrefix:"ROUTER_DEDUPLICATION_"`
	// Pprof serves net/http/pprof under /debug/pprof/ on the router's listener. Off by
	// default: a profile costs CPU and shows internals; turn it on to diagnose.
	Pprof bool `yaml:"pprof" env:"ROUTER_PPROF"`
}

// Auth verifies access tokens against the identity service's JWKS. With JWKSURL empty
// the router verifies nothing and forwards no identity (identity headers clients send
// are still stripped).
type Auth struct {
	// JWKSURL is the identity service's /.well-known/jwks.json.
	JWKSURL string `yaml:"jwks_url" env:"JWKS_URL"`
	// Issuer and Audience, when set, must match the token's iss and aud.
	Issuer   string `yaml:"issuer" env:"ISSUER"`
	Audience string `yaml:"audience" env:"AUDIENCE"`
	// Required refuses every operation without a valid token.
	Required bool `yaml:"required" env:"REQUIRED"`
	// ServiceKeyFile is the router's own Ed25519 private key (a JWK, kid "router"): it
	// signs the token each upstream request carries (user, roles, client address), the
	// only way a subgraph accepts a user. Without it subgraphs see every caller as
	// anonymous, and refuse the identity headers. platform/stack writes one per run.
	ServiceKeyFile string `yaml:"service_key_file" env:"SERVICE_KEY_FILE"`
	// TrustedProxies are the CIDRs (or addresses) of proxies in front of the router whose
	// X-Forwarded-For is believed; from anyone else the client address is the peer's.
	TrustedProxies []string `yaml:"trusted_proxies" env:"TRUSTED_PROXIES"`
}

// Enabled reports whether tokens are verified.
func (a Auth) Enabled() bool { return a.JWKSURL != "" }

// RateLimit bounds operations per second per user (authenticated) or per client IP
// (anonymous), counted in Redis so every router replica shares the budget.
type RateLimit struct {
	// RedisAddr is host:port; empty turns rate limiting off.
	RedisAddr string `yaml:"redis_addr" env:"REDIS_ADDR"`
	// PerUser is operations per second for an authenticated user (0: unlimited).
	PerUser int `yaml:"per_user" env:"PER_USER"`
	// PerIP is operations per second for an anonymous client address (0: unlimited).
	PerIP int `yaml:"per_ip" env:"PER_IP"`
	// Burst is how many operations may arrive at once (default: the rate itself).
	Burst int `yaml:"burst" env:"BURST"`
	// KeyPrefix namespaces the router's counters in Redis.
	KeyPrefix string `yaml:"key_prefix" env:"KEY_PREFIX"`
}

// Enabled reports whether any limit applies.
func (r RateLimit) Enabled() bool { return r.RedisAddr != "" && (r.PerUser > 0 || r.PerIP > 0) }

// CORS lets browser apps on other origins call the router.
type CORS struct {
	// AllowedOrigins are exact origins (https://app.dizhtime.test) or "*"; empty turns
	// CORS off (no Access-Control-* headers; same-origin only).
	AllowedOrigins []string `yaml:"allowed_origins" env:"ALLOWED_ORIGINS"`
	// AllowCredentials lets the browser send cookies and Authorization; it cannot be
	// combined with "*".
	AllowCredentials bool `yaml:"allow_credentials" env:"ALLOW_CREDENTIALS"`
	// AllowedHeaders are the request headers a browser may send.
	AllowedHeaders []string `yaml:"allowed_headers" env:"ALLOWED_HEADERS"`
	// MaxAge is how long a browser may cache a preflight answer.
	MaxAge time.Duration `yaml:"max_age" env:"MAX_AGE"`
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
	// MaxCost bounds an operation's estimated cost (objects fetched, list fields
	// weighted by their first/last/limit/count argument or DefaultListSize).
	MaxCost int64 `yaml:"max_cost" env:"MAX_COST"`
	// DefaultListSize is the size assumed for a list field with no size argument.
	DefaultListSize int `yaml:"default_list_size" env:"DEFAULT_LIST_SIZE"`
}

// Subscriptions tunes client-facing subscriptions.
type Subscriptions struct {
	KeepAliveInterval     time.Duration `yaml:"keep_alive_interval" env:"KEEP_ALIVE_INTERVAL"`
	ConnectionInitTimeout time.Duration `yaml:"connection_init_timeout" env:"CONNECTION_INIT_TIMEOUT"`
	// UpstreamPollInterval is the engine's epoll tick for upstream subscription sockets.
	// The router runs the engine with epoll off (each upstream connection has its own
	// reader goroutine, see core/engine.go), so today it has no effect; it is kept so
	// existing configs stay valid. The engine's epoll mode capped a subscription at about
	// 10 events/s with its 100 ms default.
	UpstreamPollInterval time.Duration `yaml:"upstream_poll_interval" env:"UPSTREAM_POLL_INTERVAL"`
	// ResubscribeTimeout is how long the router keeps re-establishing an upstream
	// subscription whose subgraph went away (with backoff) before the client is told
	// SUBGRAPH_UNAVAILABLE; 0 ends the subscription at once.
	ResubscribeTimeout time.Duration `yaml:"resubscribe_timeout" env:"RESUBSCRIBE_TIMEOUT"`
	// Resume names the subscription fields that can replay what a client missed, as
	// "field(argument)=cursor.path": after re-establishing, the router passes the cursor
	// of the last event the client got as the argument, and drops events at or before it.
	Resume []string `yaml:"resume" env:"RESUME"`
	// ShareIdenticalUpstream lets identical client subscriptions (same operation,
	// variables and caller) share one upstream subscription. Off by default: a client
	// joining a shared upstream late gets only what comes after it joined, never the
	// current state or replay its subgraph starts each subscriber with (a second browser
	// tab would see no status until the next change). Turn it on only where every field
	// is a pure event stream and upstream connections are the scarce resource.
	ShareIdenticalUpstream bool `yaml:"share_identical_upstream" env:"SHARE_IDENTICAL_UPSTREAM"`
	// ShareLatest names the subscription fields each of whose events is the whole current
	// state: identical subscriptions of one caller (same operation, variables, identity
	// and forwarded headers) share one upstream SSE stream, and a subscriber joining it
	// gets its latest event at once (so unlike share_identical_upstream it misses
	// nothing). Subgraphs subscribed over WebSocket are not affected.
	ShareLatest []string `yaml:"share_latest" env:"SHARE_LATEST"`
	// ShareLatestFanout lets identical client subscriptions to share_latest fields (same
	// operation, variables, raw token, identity, client address and forwarded headers)
	// share one engine subscription on the WebSocket event loop: each event is rendered
	// once and written to every attached client with its own id (core/subscription_fanout.go).
	// On by default; false gives every client subscription its own (for A/B runs).
	ShareLatestFanout bool `yaml:"share_latest_fanout" env:"SHARE_LATEST_FANOUT"`
}

// HotReload watches supergraph.yaml and the SDL files it names.
type HotReload struct {
	Enabled      bool          `yaml:"enabled" env:"ENABLED"`
	PollInterval time.Duration `yaml:"poll_interval" env:"POLL_INTERVAL"`
	// SDLPollInterval is how often SDLs that come from `_service { sdl }` are fetched
	// again (0: only when supergraph.yaml changes).
	SDLPollInterval time.Duration `yaml:"sdl_poll_interval" env:"SDL_POLL_INTERVAL"`
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

// Deduplication shares work between identical operations in flight at the same time.
type Deduplication struct {
	// Inbound: identical in-flight queries (same operation, variables, caller identity,
	// client address and forwarded headers) are executed once and every caller gets the
	// answer. Never mutations or subscriptions.
	Inbound bool `yaml:"inbound" env:"INBOUND"`
	// SubgraphFetches: identical in-flight subgraph requests (same subgraph, body,
	// forwarded headers and signed identity) share one round trip. Never for mutations.
	SubgraphFetches bool `yaml:"subgraph_fetches" env:"SUBGRAPH_FETCHES"`
}

// Default returns a configuration that runs on a laptop.
func Default() Config {
	return Config{
		ListenAddr:          "127.0.0.1:4000",
		GraphQLPath:         "/graphql",
		SupergraphFile:      "supergraph.yaml",
		CompositionCacheDir: defaultCompositionCacheDir(),
		Introspection:       true,
		Explorer:            true,
		SubgraphTimeout:     10 * time.Second,
		LogLevel:            "info",
		ShutdownTimeout:     15 * time.Second,
		Telemetry:           platformconfig.Telemetry{SampleRatio: 1},
		Limits: Limits{
			MaxRequestBodyBytes:    1 << 20,
			MaxConcurrentResolvers: 64,
			MaxDepth:               15,
			MaxAliases:             30,
			MaxRootFields:          20,
			MaxFields:              500,
			RequestTimeout:         30 * time.Second,
			MaxCost:                100000,
			DefaultListSize:        10,
		},
		Subscriptions: Subscriptions{
			KeepAliveInterval:     15 * time.Second,
			ConnectionInitTimeout: 10 * time.Second,
			UpstreamPollInterval:  2 * time.Millisecond,
			ResubscribeTimeout:    30 * time.Second,
			Resume:                []string{"orderUpdated(since)=transition.sequence"},
			ShareLatest:           []string{"deliveryTracking"},
			ShareLatestFanout:     true,
		},
		Connections:      DefaultConnections(),
		HotReload:        HotReload{Enabled: true, PollInterval: time.Second, SDLPollInterval: 10 * time.Second},
		PersistedQueries: PersistedQueries{APQ: true, APQCacheSize: 1000},
		Headers:          Headers{Propagate: []string{"Authorization", "Accept-Language"}},
		RateLimit:        RateLimit{KeyPrefix: "router:rl:"},
		Deduplication:    Deduplication{Inbound: true, SubgraphFetches: true},
		CORS: CORS{
			AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "Accept-Language", "Apollo-Require-Preflight", "traceparent"},
			MaxAge:         10 * time.Minute,
		},
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
	if l.MaxRequestBodyBytes < 0 {
		bad("limits.max_request_body_bytes", "must not be negative (0 turns the limit off), got %d", l.MaxRequestBodyBytes)
	}
	if l.MaxCost < 0 {
		bad("limits.max_cost", "must not be negative (0 turns the limit off), got %d", l.MaxCost)
	}
	for key, v := range map[string]int{
		"limits.max_concurrent_resolvers": l.MaxConcurrentResolvers,
		"limits.max_depth":                l.MaxDepth,
		"limits.max_aliases":              l.MaxAliases,
		"limits.max_root_fields":          l.MaxRootFields,
		"limits.max_fields":               l.MaxFields,
		"limits.default_list_size":        l.DefaultListSize,
	} {
		if v < 0 {
			bad(key, "must not be negative (0 turns the limit off), got %d", v)
		}
	}
	if l.RequestTimeout < 0 {
		bad("limits.request_timeout", "must not be negative (0 turns the limit off), got %s", l.RequestTimeout)
	}
	if c.Subscriptions.ResubscribeTimeout < 0 {
		bad("subscriptions.resubscribe_timeout", "must not be negative (0 turns resubscribing off), got %s", c.Subscriptions.ResubscribeTimeout)
	}
	for _, rule := range c.Subscriptions.Resume {
		if _, err := ParseResumeRule(rule); err != nil {
			bad("subscriptions.resume", "%v", err)
		}
	}
	if c.Subscriptions.KeepAliveInterval <= 0 {
		bad("subscriptions.keep_alive_interval", "must be positive, got %s", c.Subscriptions.KeepAliveInterval)
	}
	if c.Subscriptions.ConnectionInitTimeout <= 0 {
		bad("subscriptions.connection_init_timeout", "must be positive, got %s", c.Subscriptions.ConnectionInitTimeout)
	}
	if c.Subscriptions.UpstreamPollInterval <= 0 || c.Subscriptions.UpstreamPollInterval > time.Second {
		bad("subscriptions.upstream_poll_interval", "must be between 0 and 1s, got %s", c.Subscriptions.UpstreamPollInterval)
	}
	if c.HotReload.Enabled && c.HotReload.PollInterval <= 0 {
		bad("hot_reload.poll_interval", "must be positive when hot_reload is enabled, got %s", c.HotReload.PollInterval)
	}
	if c.PersistedQueries.APQ && c.PersistedQueries.APQCacheSize <= 0 {
		bad("persisted_queries.apq_cache_size", "must be positive when apq is on, got %d", c.PersistedQueries.APQCacheSize)
	}
	for _, h := range c.Headers.Propagate {
		if strings.HasPrefix(strings.ToLower(h), "x-dizhtime-") {
			bad("headers.propagate", "%q is an identity header: the router sets X-DizhTime-* only from a verified token and strips them from clients; configure auth.jwks_url and send a Bearer token instead", h)
		}
	}
	if c.Auth.Required && !c.Auth.Enabled() {
		bad("auth.required", "needs auth.jwks_url")
	}
	if c.Auth.JWKSURL != "" {
		if u, err := url.Parse(c.Auth.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("auth.jwks_url", "must be an http(s) URL, got %q", c.Auth.JWKSURL)
		}
	}
	rl := c.RateLimit
	for key, v := range map[string]int{"rate_limit.per_user": rl.PerUser, "rate_limit.per_ip": rl.PerIP, "rate_limit.burst": rl.Burst} {
		if v < 0 {
			bad(key, "must not be negative (0 turns it off), got %d", v)
		}
	}
	if rl.RedisAddr != "" {
		if _, _, err := net.SplitHostPort(rl.RedisAddr); err != nil {
			bad("rate_limit.redis_addr", "must be host:port, got %q", rl.RedisAddr)
		}
	} else if rl.PerUser > 0 || rl.PerIP > 0 {
		bad("rate_limit.redis_addr", "is needed for per_user or per_ip limits")
	}
	errs = append(errs, c.Connections.validate()...)
	if c.CORS.AllowCredentials && slices.Contains(c.CORS.AllowedOrigins, "*") {
		bad("cors.allow_credentials", "cannot be combined with allowed_origins \"*\" (browsers refuse it); list the origins")
	}
	return errors.Join(errs...)
}

// defaultCompositionCacheDir is the user's cache directory (XDG_CACHE_HOME or
// ~/.cache on Linux) under dizhtime/router, or the temp directory when there is none.
func defaultCompositionCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "dizhtime", "router")
}

// ResumeRule is one subscriptions.resume entry.
type ResumeRule struct {
	// Field is the Subscription root field, Argument its resumption argument.
	Field, Argument string
	// Cursor is the path, inside one event of the field, of the value to resume after.
	Cursor []string
}

// ParseResumeRule reads "field(argument)=cursor.path".
func ParseResumeRule(s string) (ResumeRule, error) {
	head, cursor, ok := strings.Cut(strings.TrimSpace(s), "=")
	field, arg, ok2 := strings.Cut(head, "(")
	arg, ok3 := strings.CutSuffix(arg, ")")
	if !ok || !ok2 || !ok3 || field == "" || arg == "" || cursor == "" {
		return ResumeRule{}, fmt.Errorf("%q is not field(argument)=cursor.path", s)
	}
	return ResumeRule{Field: strings.TrimSpace(field), Argument: strings.TrimSpace(arg), Cursor: strings.Split(strings.TrimSpace(cursor), ".")}, nil
}
