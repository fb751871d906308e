package redisdb

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Point is a WGS84 position.
type Point struct {
	Lat, Lng float64
}

// GeoHit is one member found near a point, with its distance in meters.
type GeoHit struct {
	Member         string
	Point          Point
	DistanceMeters float64
}

// GeoSet is a Redis GEO sorted set: members with positions, searchable by radius.
type GeoSet struct {
	client redis.UniversalClient
	key    string
}

// NewGeoSet returns the geo set stored at key.
func NewGeoSet(client redis.UniversalClient, key string) *GeoSet {
	return &GeoSet{client: client, key: key}
}

// Put sets member's position (GEOADD), replacing any earlier one.
func (g *GeoSet) Put(ctx context.Context, member string, p Point) error {
	err := g.client.GeoAdd(ctx, g.key, &redis.GeoLocation{Name: member, Longitude: p.Lng, Latitude: p.Lat}).Err()
	if err != nil {
		return fmt.Errorf("geoadd %s %s: %w", g.key, member, err)
	}
	return nil
}

// Remove deletes member from the set.
func (g *GeoSet) Remove(ctx context.Context, member string) error {
	if err := g.client.ZRem(ctx, g.key, member).Err(); err != nil {
		return fmt.Errorf("zrem %s %s: %w", g.key, member, err)
	}
	return nil
}

// Within returns up to limit members within radiusMeters of center, nearest first (GEOSEARCH).
func (g *GeoSet) Within(ctx context.Context, center Point, radiusMeters float64, limit int) ([]GeoHit, error) {
	locs, err := g.client.GeoSearchLocation(ctx, g.key, &redis.GeoSearchLocationQuery{
		GeoSearchQuery: redis.GeoSearchQuery{
			Longitude:  center.Lng,
			Latitude:   center.Lat,
			Radius:     radiusMeters,
			RadiusUnit: "m",
			Sort:       "ASC",
			Count:      limit,
		},
		WithCoord: true,
		WithDist:  true,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("geosearch %s: %w", g.key, err)
	}
	hits := make([]GeoHit, 0, len(locs))
	for _, l := range locs {
		hits = append(hits, GeoHit{Member: l.Name, Point: Point{Lat: l.Latitude, Lng: l.Longitude}, DistanceMeters: l.Dist})
	}
	return hits, nil
}
