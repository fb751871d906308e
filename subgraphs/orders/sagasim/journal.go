package sagasim

// journal is the undo log of one in-memory transaction: every write registers how to
// take itself back, and a rollback runs them newest first.
type journal struct {
	undo    []func()
	aborted error
}

func (j *journal) record(f func()) {
	if j != nil {
		j.undo = append(j.undo, f)
	}
}

func (j *journal) rollback() {
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	j.undo = nil
}

// setKey writes m[k] = v with its undo.
func setKey[K comparable, V any](j *journal, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	j.record(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// appendTo appends to *s with its undo.
func appendTo[V any](j *journal, s *[]V, vs ...V) {
	n := len(*s)
	*s = append(*s, vs...)
	j.record(func() { *s = (*s)[:n] })
}
