package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gobwas/ws"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/wundergraph/graphql-go-tools/execution/subscription/websocket"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// CodeTooManyConnections refuses a streamed subscription over a connection cap.
const CodeTooManyConnections = "TOO_MANY_CONNECTIONS"

// closeTryAgainLater is the WebSocket close code (RFC 6455 registry: 1013, Try Again
// Later) a WebSocket over a connection cap is closed with, right after the upgrade, so
// that a browser client (which cannot read an HTTP status) sees why.
const closeTryAgainLater ws.StatusCode = 1013

// streamCaps counts the long-lived client connections (WebSocket upgrades, subscriptions
// streamed over SSE or multipart) in total, per client address and per signed-in user,
// and refuses those over config.Connections' caps. Total and address are known before
// the connection is served (wrap); the user only once their token is verified, which for
// a WebSocket may be its connection_init: the handlers then call acquireUser.
type streamCaps struct {
	max, perIP, perUser int
	logger              *slog.Logger
	held                *prometheus.GaugeVec
	refused             *prometheus.CounterVec

	mu     sync.Mutex
	total  int
	byIP   map[string]int
	byUser map[string]int
	fds    *fdBudget
}

type streamCapsKey struct{}

// streamCapsFrom returns the caps wrap put into a long-lived request's context (nil when
// the handler was built without them).
func streamCapsFrom(ctx context.Context) *streamCaps {
	c, _ := ctx.Value(streamCapsKey{}).(*streamCaps)
	return c
}

func newStreamCaps(cfg config.Connections, reg prometheus.Registerer, logger *slog.Logger) *streamCaps {
	c := &streamCaps{max: cfg.MaxStreams, perIP: cfg.MaxStreamsPerIP, perUser: cfg.MaxStreamsPerUser, logger: logger, byIP: map[string]int{}, byUser: map[string]int{}}
	if cfg.FDReserve > 0 {
		c.fds = &fdBudget{reserve: cfg.FDReserve}
	}
	c.held = registerOrReuse(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "router_stream_connections",
		Help: "Long-lived client connections held now (WebSocket, SSE, multipart), by transport.",
	}, []string{"transport"}))
	c.refused = registerOrReuse(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "router_connections_refused_total",
		Help: "Long-lived client connections refused over a cap (connections.max_streams, max_streams_per_ip, max_streams_per_user), by transport and cap.",
	}, []string{"transport", "cap"}))
	return c
}

// registerOrReuse registers c, or returns the collector already registered under its name
// (a second Handler on one registry shares the series).
func registerOrReuse[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// wrap counts and caps the long-lived connections next serves.
func (c *streamCaps) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		transport := ""
		switch {
		case isWebSocketUpgrade(r):
			transport = "websocket"
		case streamingFormat(r) == streamSSE:
			transport = "sse"
		case streamingFormat(r) == streamMultipart:
			transport = "multipart"
		default:
			next.ServeHTTP(w, r)
			return
		}
		ip := clientAddrFrom(r.Context())
		if ip == "" {
			ip = clientIP(r.RemoteAddr)
		}
		release, over := c.acquire(ip)
		if over != "" {
			c.refuse(w, r, transport, ip, over)
			return
		}
		c.held.WithLabelValues(transport).Inc()
		lease := &streamLease{release: func() {
			release()
			c.held.WithLabelValues(transport).Dec()
		}}
		ctx := context.WithValue(context.WithValue(r.Context(), streamCapsKey{}, c), streamLeaseKey{}, lease)
		next.ServeHTTP(w, r.WithContext(ctx))
		lease.endOfRequest()
	})
}

// streamLease is one admitted connection's place under the caps. It is given back when
// the request's handler returns, unless the handler kept it (keepStreamLease): a
// WebSocket served by the event loop outlives its handler and gives it back when it
// closes.
type streamLease struct {
	mu      sync.Mutex
	kept    bool
	release func()
}

type streamLeaseKey struct{}

func (l *streamLease) endOfRequest() {
	l.mu.Lock()
	kept := l.kept
	l.mu.Unlock()
	if !kept {
		l.release()
	}
}

// keepStreamLease takes over the request's place under the caps; the returned func
// gives it back (a no-op when the request was not counted).
func keepStreamLease(ctx context.Context) func() {
	l, _ := ctx.Value(streamLeaseKey{}).(*streamLease)
	if l == nil {
		return func() {}
	}
	l.mu.Lock()
	l.kept = true
	l.mu.Unlock()
	var once sync.Once
	return func() { once.Do(l.release) }
}

// userSlot is one long-lived connection's place under its user's cap; release gives it
// back (safe to call more than once, and on a nil slot).
type userSlot struct {
	once    sync.Once
	release func()
}

func (s *userSlot) Release() {
	if s != nil && s.release != nil {
		s.once.Do(s.release)
	}
}

// acquireUser takes a place for one more connection of user (nil slot and no refusal
// when there is no per-user cap or no user), or returns the refusal's message and counts
// it under transport.
func (c *streamCaps) acquireUser(user, transport string) (*userSlot, string) {
	if c == nil || c.perUser <= 0 || user == "" {
		return nil, ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser[user] >= c.perUser {
		c.refused.WithLabelValues(transport, "max_streams_per_user").Inc()
		c.logger.Warn("long-lived connection refused", "transport", transport, "user", user, "cap", "max_streams_per_user", "limit", c.perUser)
		return nil, fmt.Sprintf("connection limit reached (connections.max_streams_per_user = %d): close another connection of this account, or try again later", c.perUser)
	}
	c.byUser[user]++
	return &userSlot{release: func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.byUser[user]--; c.byUser[user] <= 0 {
			delete(c.byUser, user)
		}
	}}, ""
}

// acquire takes a place for one connection from ip, or names the cap it is over.
func (c *streamCaps) acquire(ip string) (release func(), over string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max > 0 && c.total >= c.max {
		return nil, "max_streams"
	}
	if c.perIP > 0 && c.byIP[ip] >= c.perIP {
		return nil, "max_streams_per_ip"
	}
	if c.fds != nil && c.fds.short(time.Now()) {
		return nil, "fd_reserve"
	}
	c.total++
	c.byIP[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.total--
			if c.byIP[ip]--; c.byIP[ip] <= 0 {
				delete(c.byIP, ip)
			}
		})
	}, ""
}

func (c *streamCaps) refuse(w http.ResponseWriter, r *http.Request, transport, ip, over string) {
	c.refused.WithLabelValues(transport, over).Inc()
	limit := c.max
	switch over {
	case "max_streams_per_ip":
		limit = c.perIP
	case "fd_reserve":
		limit = c.fds.reserve
	}
	reason := fmt.Sprintf("connection limit reached (connections.%s = %d): try again later", over, limit)
	c.logger.Warn("long-lived connection refused", "transport", transport, "client", ip, "cap", over, "limit", limit)
	if transport == "websocket" {
		upgrader := ws.HTTPUpgrader{
			Timeout: 5 * time.Second,
			Protocol: func(p string) bool {
				return p == string(websocket.ProtocolGraphQLTransportWS) || p == string(websocket.ProtocolGraphQLWS)
			},
		}
		conn, _, _, err := upgrader.Upgrade(r, w)
		if err != nil {
			return // the upgrader has answered the client
		}
		_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(closeTryAgainLater, reason)))
		_ = conn.Close()
		return
	}
	w.Header().Set("Retry-After", "5")
	writeErrors(w, http.StatusServiceUnavailable, newError(CodeTooManyConnections, reason))
}

// fdBudget tells whether fewer than reserve descriptors (at most a quarter of the soft
// limit) are left. Counting /proc/self/fd costs a directory read of every descriptor, so
// the count is refreshed at most every fdRecount and each connection admitted since is
// added to it as one more descriptor. Callers hold streamCaps.mu.
type fdBudget struct {
	reserve   int
	countedAt time.Time
	open      int
	limit     int
	since     int
}

const fdRecount = 100 * time.Millisecond

func (b *fdBudget) short(now time.Time) bool {
	if now.Sub(b.countedAt) >= fdRecount {
		open, limit, err := openFiles()
		if err != nil {
			return false // cannot count here: no reserve
		}
		b.open, b.limit, b.since, b.countedAt = open, limit, 0, now
	}
	if b.limit-(b.open+b.since+1) < min(b.reserve, b.limit/4) {
		return true
	}
	b.since++ // the connection about to be admitted
	return false
}

// raiseOpenFileLimit sets the process's soft open-file limit to its hard limit (which
// needs no privilege) and logs both: every client and upstream socket is a descriptor.
func raiseOpenFileLimit(logger *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		logger.Warn("open-file limit unknown", "error", err)
		return
	}
	was := lim.Cur
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			logger.Warn("open-file soft limit not raised to the hard limit", "soft", was, "hard", lim.Max, "error", err)
			return
		}
	}
	logger.Info("open-file limit", "soft", lim.Cur, "hard", lim.Max, "soft_at_start", was)
}

// openFilesCheck is a readiness check that fails while fewer than headroom descriptors
// (at most a quarter of the limit) are left under the soft open-file limit; nil when
// headroom is 0 or the process cannot count its descriptors (no /proc/self/fd).
func openFilesCheck(headroom int) func(context.Context) error {
	if headroom <= 0 {
		return nil
	}
	return func(context.Context) error {
		open, limit, err := openFiles()
		if err != nil {
			return nil
		}
		if left := limit - open; left < min(headroom, limit/4) {
			return fmt.Errorf("%d of %d file descriptors open: fewer than %d left (connections.fd_headroom)", open, limit, min(headroom, limit/4))
		}
		return nil
	}
}

// openFiles is how many descriptors the process has open and its soft limit.
func openFiles() (open, limit int, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	open, err = countOpenFiles()
	return open, int(min(lim.Cur, 1<<30)), err
}

func countOpenFiles() (int, error) {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return len(names) - 1, nil // less the descriptor reading the directory
}
