// Package adapters holds dispatch's edges: the Redis live index of drivers (GEO set, H3
// cell sets, last-ping ZSET, Lua-scripted reservations and pub/sub feeds, the latter
// carried for the whole process over one pub/sub connection by ChannelHub).
package adapters
