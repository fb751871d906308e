package service_test

import (
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/identity/service"
)

// BenchmarkLogin measures a login with the production argon2id cost (19 MiB, t=2):
// the hash dominates, which is the point.
func BenchmarkLogin(b *testing.B) {
	cfg := testConfig()
	def := service.DefaultConfig()
	cfg.Argon2MemoryKiB, cfg.Argon2Time = def.Argon2MemoryKiB, def.Argon2Time
	cfg.LoginPerAccountPerMinute, cfg.LoginPerIPPerMinute = 1<<30, 1<<30
	id := startIdentity(b, cfg)
	do := func(q string, v map[string]any) *routertest.Response { return id.do(b, nil, q, v) }
	email := uniqueEmail()
	register(b, do, email, "correct horse battery")
	vars := map[string]any{"e": email, "p": "correct horse battery"}
	for b.Loop() {
		if resp := do(loginMutation, vars); len(resp.Errors) > 0 {
			b.Fatal(resp.Errors)
		}
	}
}
