package core

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// CodeRateLimited refuses an operation over the caller's budget; extensions.retryAfter
// says how many seconds until the next one is allowed.
const CodeRateLimited = "RATE_LIMITED"

// rateLimiter counts operations per authenticated user, or per client IP for anonymous
// callers, in Redis (GCRA through redis_rate: one round trip, shared by every router
// replica). A logged-in user is limited as a user only, so many users behind one NAT do
// not share a budget. When Redis cannot answer the operation goes through (logged): a
// rate limiter outage must not become a platform outage.
type rateLimiter struct {
	client  *redis.Client
	limiter *redis_rate.Limiter
	perUser redis_rate.Limit
	perIP   redis_rate.Limit
	prefix  string
	logger  *slog.Logger
}

func newRateLimiter(cfg config.RateLimit, prefix string, logger *slog.Logger) *rateLimiter {
	if !cfg.Enabled() {
		return nil
	}
	client := redis.NewClient(&redis.Options{
		Addr:         cfg.RedisAddr,
		DialTimeout:  time.Second,
		ReadTimeout:  200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond,
		MaxRetries:   1,
	})
	limit := func(rate int) redis_rate.Limit {
		burst := cfg.Burst
		if burst <= 0 {
			burst = rate
		}
		return redis_rate.Limit{Rate: rate, Burst: burst, Period: time.Second}
	}
	if prefix == "" {
		prefix = "router:rl:"
	}
	return &rateLimiter{client: client, limiter: redis_rate.NewLimiter(client), perUser: limit(cfg.PerUser), perIP: limit(cfg.PerIP), prefix: prefix, logger: logger}
}

// allow spends one operation of the caller's budget. It returns how long to wait when
// the budget is spent (0: allowed).
func (l *rateLimiter) allow(ctx context.Context, id *authn.Identity, remoteAddr string) time.Duration {
	if l == nil {
		return 0
	}
	key, limit := "", redis_rate.Limit{}
	if id != nil {
		key, limit = l.prefix+"user:"+id.UserID, l.perUser
	} else {
		key, limit = l.prefix+"ip:"+clientIP(remoteAddr), l.perIP
	}
	if limit.Rate <= 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	res, err := l.limiter.Allow(ctx, key, limit)
	if err != nil {
		withTrace(ctx, l.logger).Warn("rate limiter unavailable; letting the operation through", "error", err)
		return 0
	}
	if res.Allowed > 0 {
		return 0
	}
	if res.RetryAfter <= 0 {
		return time.Millisecond
	}
	return res.RetryAfter
}

func (l *rateLimiter) close() {
	if l != nil {
		_ = l.client.Close()
	}
}

// rateLimited is the client's view of a spent budget.
func rateLimited(wait time.Duration) clientError {
	secs := retryAfterSeconds(wait)
	e := newError(CodeRateLimited, fmt.Sprintf("too many operations; retry in %d s", secs))
	e.Extensions["retryAfter"] = secs
	return e
}

// writeRateLimited answers on plain HTTP: 429 with Retry-After.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	writeErrors(w, http.StatusTooManyRequests, rateLimited(wait))
}

func retryAfterSeconds(wait time.Duration) int {
	return int(math.Max(1, math.Ceil(wait.Seconds())))
}

// clientIP is the peer address of the connection. X-Forwarded-For is not trusted: the
// router is the edge here, and a client could name any address there.
func clientIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
