package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// LoginLimiter rate-limits login attempts in Redis with GCRA (go-redis/redis_rate: a
// small, maintained Lua implementation by the go-redis authors), so every replica shares
// the same budget.
type LoginLimiter struct {
	limiter    *redis_rate.Limiter
	prefix     string
	perAccount redis_rate.Limit
	perIP      redis_rate.Limit
}

// NewLoginLimiter allows perAccount attempts per email and perIP attempts per client
// address every minute. prefix keeps deployments (and tests) sharing a Redis apart.
func NewLoginLimiter(client redis.UniversalClient, prefix string, perAccount, perIP int) *LoginLimiter {
	return &LoginLimiter{
		limiter:    redis_rate.NewLimiter(client),
		prefix:     prefix,
		perAccount: redis_rate.PerMinute(perAccount),
		perIP:      redis_rate.PerMinute(perIP),
	}
}

// Allow spends one attempt for email and for ip; when either budget is spent it
// returns false and how long to wait.
func (l *LoginLimiter) Allow(ctx context.Context, email, ip string) (bool, time.Duration, error) {
	for _, c := range []struct {
		key   string
		limit redis_rate.Limit
	}{
		{l.prefix + "login:ip:" + ip, l.perIP},
		{l.prefix + "login:account:" + email, l.perAccount},
	} {
		res, err := l.limiter.Allow(ctx, c.key, c.limit)
		if err != nil {
			return false, 0, fmt.Errorf("login rate limit: %w", err)
		}
		if res.Allowed == 0 {
			return false, res.RetryAfter, nil
		}
	}
	return true, 0, nil
}
