package main

import (
	"maps"
	"slices"
	"time"
)

func slicesSort(d []time.Duration) { slices.Sort(d) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
