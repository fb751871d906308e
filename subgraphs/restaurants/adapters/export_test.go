package adapters

import "context"

// RaiseHint lets tests simulate a writer that raised a hint and died.
func RaiseHint(ctx context.Context, r *RestaurantsRepository, id string, version int64) error {
	return r.raiseHint(ctx, id, version)
}
