// Package adapters holds dispatch's edges: the Redis live index of drivers (GEO set, H3
// cell sets, last-ping ZSET, Lua-scripted reservations and pub/sub feeds).
package adapters
