package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Watch polls cfg.SupergraphFile and the SDL files it names every
// hot_reload.poll_interval until ctx ends. On a change it recomposes off the request
// path and swaps the new engine in; requests in flight finish on the engine they
// started with. A failed recomposition is logged (the composer's message names the
// subgraph, type and field) and the old graph keeps serving.
//
// Polling rather than inotify: editors replace files by rename, and a poll of a few
// small files per second costs nothing.
func (r *Router) Watch(ctx context.Context) error {
	path := r.cfg.SupergraphFile
	last := r.composedFingerprint(path)
	ticker := time.NewTicker(r.cfg.HotReload.PollInterval)
	defer ticker.Stop()
	var refetch <-chan time.Time
	if every := r.cfg.HotReload.SDLPollInterval; every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		refetch = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-refetch:
			// SDLs from _service { sdl } change without any file changing: fetch them
			// again. Unchanged SDLs compose to what is serving, which keeps the engine
			// (and its subscriptions).
			r.composeMu.Lock()
			sg := r.supergraph
			r.composeMu.Unlock()
			if introspects(sg) {
				r.reload(ctx, sg)
			}
			continue
		case <-ticker.C:
		}
		sg, err := config.LoadSupergraph(path)
		if err != nil {
			// Keep the last fingerprint: a half-written file is retried on the next tick.
			if now := fingerprint(path, nil); !bytes.Equal(now, last) {
				r.logger.Error("hot reload: supergraph config is invalid, keeping the current graph", "file", path, "error", err)
				last = now
			}
			continue
		}
		now := fingerprint(path, sg)
		if bytes.Equal(now, last) {
			continue
		}
		last = now
		r.reload(ctx, sg)
	}
}

func (r *Router) reload(ctx context.Context, sg *config.Supergraph) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	r.composeMu.Lock()
	defer r.composeMu.Unlock()
	if _, err := r.composeLocked(ctx, sg); err != nil {
		r.logger.Error("hot reload: recomposition failed, keeping the current graph", "error", err)
		return
	}
	r.logger.Info("hot reload: new supergraph serving", "took", time.Since(start))
}

// composedFingerprint is the fingerprint of what the serving graph was composed from
// (what is on disk now, before any composition).
func (r *Router) composedFingerprint(path string) []byte {
	r.composeMu.Lock()
	defer r.composeMu.Unlock()
	if r.composedPrint != nil {
		return r.composedPrint
	}
	return fingerprint(path, r.supergraph)
}

// fingerprint hashes supergraph.yaml and every SDL file it names.
func fingerprint(path string, sg *config.Supergraph) []byte {
	h := sha256.New()
	read := func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			h.Write([]byte("missing:" + p))
			return
		}
		h.Write([]byte(p))
		h.Write(b)
	}
	read(path)
	if sg != nil {
		for _, s := range sg.Subgraphs {
			if s.Schema != nil {
				read(s.Schema.File)
			}
		}
	}
	return h.Sum(nil)
}

// introspects reports whether any subgraph's SDL comes from _service { sdl }.
func introspects(sg *config.Supergraph) bool {
	if sg == nil {
		return false
	}
	for _, s := range sg.Subgraphs {
		if s.Schema == nil {
			return true
		}
	}
	return false
}
