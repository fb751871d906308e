//go:build !dizhtime_laptop

package adapters

import (
	"sync"
	"time"
)

// Word presence is remembered for wordTTL, for at most maxWords words (then forgotten
// all at once): a word first indexed meanwhile is at worst searched with typos for a
// minute, and the typo-tolerant search finds its exact matches too.
const (
	wordTTL  = time.Minute
	maxWords = 50_000
)

// wordCache remembers which query words the index has in matchFields, so that a search
// with a word it lacks (most often a typo) goes straight to the typo-tolerant search:
// one trip to Elasticsearch instead of two.
type wordCache struct {
	mu    sync.Mutex
	words map[string]wordPresence
}

type wordPresence struct {
	present bool
	until   time.Time
}

// lookup splits words into the ones known to be missing and the ones not known at all.
func (c *wordCache) lookup(words []string, now time.Time) (missing, unknown []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range words {
		p, ok := c.words[w]
		switch {
		case !ok || now.After(p.until):
			unknown = append(unknown, w)
		case !p.present:
			missing = append(missing, w)
		}
	}
	return missing, unknown
}

func (c *wordCache) remember(word string, present bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.words == nil || len(c.words) >= maxWords {
		c.words = make(map[string]wordPresence)
	}
	c.words[word] = wordPresence{present: present, until: now.Add(wordTTL)}
}
