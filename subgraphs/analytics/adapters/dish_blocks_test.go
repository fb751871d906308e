package adapters

import "testing"

// dishBlocks must cover a range's whole days exactly, with aligned blocks, at most two per
// level.
func TestDishBlocks_coverWholeDaysAligned(t *testing.T) {
	const day = daySeconds
	for lo := int64(20780); lo < 20820; lo++ {
		for n := int64(1); n <= 70; n++ {
			blocks := dishBlocks(lo*day, (lo+n)*day)
			cur := lo * day
			perLevel := map[int64]int{}
			for _, b := range blocks {
				l, start := b[0], b[1]
				if start != cur || mod(start, blockSpan(int(l))) != 0 {
					t.Fatalf("days [%d, +%d): block %v not aligned or not next (at %d)", lo, n, b, cur)
				}
				perLevel[l]++
				if perLevel[l] > 2 && l < dishLevels-1 {
					t.Fatalf("days [%d, +%d): %d blocks of level %d", lo, n, perLevel[l], l)
				}
				cur += blockSpan(int(l))
			}
			if cur != (lo+n)*day {
				t.Fatalf("days [%d, +%d): blocks end at %d", lo, n, cur)
			}
		}
	}
}
