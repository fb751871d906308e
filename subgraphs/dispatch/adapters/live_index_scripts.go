package adapters

import "github.com/redis/go-redis/v9"

// Redis holds only what must be atomic across replicas: each driver's status with the
// offer or delivery it holds, and each order's holder. The state changes are Lua
// scripts so each is atomic: no other command runs between a script's read of a
// driver's status and its writes. That is what makes a reservation safe when many
// matchers race for one driver (and one order's matchers race each other): the check
// "driver AVAILABLE, order holds no offer" and the writes "driver OFFERED, order ->
// driver" happen as one step. Positions are not here: they travel on driver.location
// into every replica's in-memory DriverIndex.
//
// Every script that changes a driver bumps its version and announces the new state
// ("states" channel) and keeps it in the "states" hash, both inside the script: replicas
// apply announcements in version order, and the hash is the snapshot a starting replica
// (or one whose subscription dropped) loads.
//
// Keys are built inside the scripts from the prefix in ARGV[1], so a script touches keys
// it was not handed. That is fine on a single Redis; on Redis Cluster put a hash tag in
// the prefix ("{dispatch}:") so every key lives in one slot.
//
// Layout under prefix P:
//
//	P drv:<id>     HASH status, vehicle, lat, lng, at (where and when it went online), order, offer_until, ver
//	P states       HASH driver -> its state as last announced (the snapshot)
//	P offers       ZSET offered driver -> offer deadline (unix ms)
//	P order:<id>   HASH driver, state (OFFERED | ASSIGNED): at most one per order
//	P states / P track:<order> / P offers:<driver>   pub/sub channels
//
// A state message is "ver|status|order|vehicle|lat|lng|at-ms|driver id".
const luaPrelude = `
local P = ARGV[1]
local function announce(id, d)
  local ver = redis.call('HINCRBY', d, 'ver', 1)
  local st, order, veh, lat, lng, at = unpack(redis.call('HMGET', d, 'status', 'order', 'vehicle', 'lat', 'lng', 'at'))
  local msg = ver..'|'..(st or 'OFFLINE')..'|'..(order or '')..'|'..(veh or '')..'|'..(lat or '')..'|'..(lng or '')..'|'..(at or '0')..'|'..id
  redis.call('HSET', P..'states', id, msg)
  redis.call('PUBLISH', P..'states', msg)
  return msg
end
local function release(id, d, order)
  redis.call('HSET', d, 'status', 'AVAILABLE', 'order', '', 'offer_until', '0')
  redis.call('ZREM', P..'offers', id)
  local o = P..'order:'..order
  if redis.call('HGET', o, 'driver') == id then redis.call('DEL', o) end
  return announce(id, d)
end
`

// online: ARGV P, id, vehicle, lat, lng, now. Returns {status after, state}.
var onlineScript = redis.NewScript(luaPrelude + `
local id, vehicle, lat, lng, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local d = P..'drv:'..id
local st = redis.call('HGET', d, 'status')
if not st or st == 'OFFLINE' then
  st = 'AVAILABLE'
  redis.call('HSET', d, 'status', st, 'order', '', 'offer_until', '0')
end
redis.call('HSET', d, 'vehicle', vehicle, 'lat', lat, 'lng', lng, 'at', now)
return {st, announce(id, d)}
`)

// offline: ARGV P, id. Refused (returns {status}) while the driver holds an offer or a
// delivery; {OFFLINE, state} otherwise.
var offlineScript = redis.NewScript(luaPrelude + `
local id = ARGV[2]
local d = P..'drv:'..id
local st = redis.call('HGET', d, 'status')
if st == 'OFFERED' or st == 'ON_DELIVERY' then return {st} end
if not st or st == 'OFFLINE' then return {'OFFLINE'} end
redis.call('HSET', d, 'status', 'OFFLINE')
return {'OFFLINE', announce(id, d)}
`)

// reserve: ARGV P, order, driver, offer deadline. {OK, state}, {ORDER_BUSY} (the order
// already holds an offer or a driver) or {DRIVER_BUSY, state} (the driver is not
// AVAILABLE: its state, so the caller's index catches up at once).
var reserveScript = redis.NewScript(luaPrelude + `
local order, id, deadline = ARGV[2], ARGV[3], ARGV[4]
local o = P..'order:'..order
if redis.call('EXISTS', o) == 1 then return {'ORDER_BUSY'} end
local d = P..'drv:'..id
if redis.call('HGET', d, 'status') ~= 'AVAILABLE' then return {'DRIVER_BUSY', redis.call('HGET', P..'states', id) or ''} end
redis.call('HSET', d, 'status', 'OFFERED', 'order', order, 'offer_until', deadline)
redis.call('HSET', o, 'driver', id, 'state', 'OFFERED')
redis.call('ZADD', P..'offers', deadline, id)
redis.call('PUBLISH', P..'offers:'..id, order..'|'..deadline)
return {'OK', announce(id, d)}
`)

// release: ARGV P, order, driver. Puts an OFFERED driver back (declined, timed out).
var releaseScript = redis.NewScript(luaPrelude + `
local order, id = ARGV[2], ARGV[3]
local d = P..'drv:'..id
local st, held = unpack(redis.call('HMGET', d, 'status', 'order'))
if st ~= 'OFFERED' or held ~= order then return {'NO_OFFER'} end
return {'OK', release(id, d, order)}
`)

// accept: ARGV P, order, driver, now. OFFERED -> ON_DELIVERY while the offer is live.
var acceptScript = redis.NewScript(luaPrelude + `
local order, id, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local d = P..'drv:'..id
local st, held, deadline = unpack(redis.call('HMGET', d, 'status', 'order', 'offer_until'))
if st ~= 'OFFERED' or held ~= order or tonumber(deadline) < now then return {'NO_OFFER'} end
redis.call('HSET', d, 'status', 'ON_DELIVERY', 'offer_until', '0')
redis.call('ZREM', P..'offers', id)
redis.call('HSET', P..'order:'..order, 'state', 'ASSIGNED')
return {'OK', announce(id, d)}
`)

// finish: ARGV P, order, driver. ON_DELIVERY -> AVAILABLE (delivered or unassigned); the
// order no longer holds the driver.
var finishScript = redis.NewScript(luaPrelude + `
local order, id = ARGV[2], ARGV[3]
local d = P..'drv:'..id
local st, held = unpack(redis.call('HMGET', d, 'status', 'order'))
if st ~= 'ON_DELIVERY' or held ~= order then return {'NO_DELIVERY'} end
return {'OK', release(id, d, order)}
`)

// expire: ARGV P, now, limit. Releases offers past their deadline; returns the states.
var expireScript = redis.NewScript(luaPrelude + `
local now, limit = ARGV[2], tonumber(ARGV[3])
local out = {}
local expired = redis.call('ZRANGEBYSCORE', P..'offers', '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(expired) do
  local d = P..'drv:'..id
  local st, order = unpack(redis.call('HMGET', d, 'status', 'order'))
  if st == 'OFFERED' then table.insert(out, release(id, d, order)) else redis.call('ZREM', P..'offers', id) end
end
return out
`)

// silent: ARGV P, online-before (unix ms), ids... Takes AVAILABLE drivers who went online
// before the cutoff offline (the caller saw no fix from them since); returns the states.
var silentScript = redis.NewScript(luaPrelude + `
local cutoff = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local d = P..'drv:'..id
  local st, at = unpack(redis.call('HMGET', d, 'status', 'at'))
  if st == 'AVAILABLE' and tonumber(at or '0') < cutoff then
    redis.call('HSET', d, 'status', 'OFFLINE')
    table.insert(out, announce(id, d))
  end
end
return out
`)
