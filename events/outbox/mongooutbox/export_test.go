package mongooutbox

// SetHook installs a test hook run after publishing; an error aborts like a crash.
func (r *Relay) SetHook(h func(point string) error) { r.hook = h }
