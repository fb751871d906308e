package adapters

import (
	"slices"
	"testing"
	"time"
)

func TestWordCacheRemembersPresenceForAMinute(t *testing.T) {
	var c wordCache
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	missing, unknown := c.lookup([]string{"pizza", "piza"}, now)
	if len(missing) != 0 || !slices.Equal(unknown, []string{"pizza", "piza"}) {
		t.Fatalf("empty cache: missing %v, unknown %v", missing, unknown)
	}
	c.remember("pizza", true, now)
	c.remember("piza", false, now)
	missing, unknown = c.lookup([]string{"pizza", "piza", "plov"}, now.Add(59*time.Second))
	if !slices.Equal(missing, []string{"piza"}) || !slices.Equal(unknown, []string{"plov"}) {
		t.Errorf("within a minute: missing %v, unknown %v", missing, unknown)
	}
	missing, unknown = c.lookup([]string{"pizza", "piza"}, now.Add(wordTTL+time.Second))
	if len(missing) != 0 || !slices.Equal(unknown, []string{"pizza", "piza"}) {
		t.Errorf("after a minute: missing %v, unknown %v", missing, unknown)
	}
}

func TestWordCacheForgetsEverythingWhenFull(t *testing.T) {
	var c wordCache
	now := time.Now()
	for i := range maxWords {
		c.remember(string(rune('a'+i%26))+string(rune(i)), false, now)
	}
	c.remember("pizza", true, now)
	if len(c.words) != 1 {
		t.Errorf("%d words after overflowing, want only the newest", len(c.words))
	}
}
