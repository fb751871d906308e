package core

import (
	"github.com/cespare/xxhash/v2"
	lru "github.com/hashicorp/golang-lru/v2"
)

// planCacheMirror follows the engine's plan cache, which the engine does not expose,
// to count hits and misses. The engine keys plans by the printed normalized operation
// (LRU of 1024); the mirror keys them by operation name and text, known before the
// engine runs. The two agree except for operations that differ only in inline
// argument values or formatting: the engine shares one plan, the mirror counts a miss.
// (The normalized document cannot be read afterwards: planning a miss adds key fields
// to it.)
type planCacheMirror struct {
	keys *lru.Cache[uint64, struct{}]
}

const enginePlanCacheSize = 1024

func newPlanCacheMirror() *planCacheMirror {
	keys, _ := lru.New[uint64, struct{}](enginePlanCacheSize)
	return &planCacheMirror{keys: keys}
}

// seen reports whether the operation was planned before, and remembers it.
func (p *planCacheMirror) seen(operationName, query string) bool {
	h := xxhash.New()
	_, _ = h.WriteString(operationName)
	_, _ = h.Write([]byte{0})
	_, _ = h.WriteString(query)
	hit, _ := p.keys.ContainsOrAdd(h.Sum64(), struct{}{})
	return hit
}
