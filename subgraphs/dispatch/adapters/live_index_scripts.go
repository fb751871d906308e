package adapters

import "github.com/redis/go-redis/v9"

// The live index's state changes are Lua scripts so each is atomic: no other command
// runs between a script's read of a driver's status and its writes. That is what makes
// a reservation safe when many matchers race for one driver (and one order's matchers
// race each other): the check "driver AVAILABLE, order holds no offer" and the writes
// "driver OFFERED, order -> driver, driver out of the index" happen as one step.
//
// Keys are built inside the scripts from the prefix in ARGV[1], so a script touches keys
// it was not handed. That is fine on a single Redis; on Redis Cluster put a hash tag in
// the prefix ("{dispatch}:") so every key lives in one slot.
//
// Layout under prefix P:
//
//	P drv:<id>     HASH status, vehicle, lat, lng, cell, member, mcell, order, offer_until, seen
//	P geo          GEO  AVAILABLE drivers (the admin map; not read by matching)
//	P cell:<h3>    SET  AVAILABLE drivers in that resolution-8 cell, as "id|lat|lng|vehicle"
//	P seen         ZSET online driver -> last ping (unix ms)
//	P offers       ZSET offered driver -> offer deadline (unix ms)
//	P order:<id>   HASH driver, state (OFFERED | ASSIGNED): at most one per order
//	P track:<order> / P map / P offers:<driver>   pub/sub channels
const luaPrelude = `
local P = ARGV[1]
-- A cell set member carries the driver's position and vehicle ("id|lat|lng|vehicle"), so
-- matching reads candidates with SMEMBERS alone; the hash remembers the member to remove.
local function index(id, d)
  local lat, lng, cell, veh, old, oldcell = unpack(redis.call('HMGET', d, 'lat', 'lng', 'cell', 'vehicle', 'member', 'mcell'))
  if not (lat and lng and cell) then return end
  redis.call('GEOADD', P..'geo', lng, lat, id)
  local member = id..'|'..lat..'|'..lng..'|'..(veh or '')
  if old == member and oldcell == cell then return end
  if old and oldcell then redis.call('SREM', P..'cell:'..oldcell, old) end
  redis.call('SADD', P..'cell:'..cell, member)
  redis.call('HSET', d, 'member', member, 'mcell', cell)
end
local function unindex(id, d)
  redis.call('ZREM', P..'geo', id)
  local old, oldcell = unpack(redis.call('HMGET', d, 'member', 'mcell'))
  if old and oldcell then redis.call('SREM', P..'cell:'..oldcell, old) end
  redis.call('HDEL', d, 'member', 'mcell')
end
local function release(id, d, order)
  redis.call('HSET', d, 'status', 'AVAILABLE', 'order', '', 'offer_until', '0')
  redis.call('ZREM', P..'offers', id)
  local o = P..'order:'..order
  if redis.call('HGET', o, 'driver') == id then redis.call('DEL', o) end
  index(id, d)
end
`

// online: ARGV P, id, vehicle, lat, lng, cell, now. Returns the status after.
var onlineScript = redis.NewScript(luaPrelude + `
local id, vehicle, lat, lng, cell, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local d = P..'drv:'..id
local st = redis.call('HGET', d, 'status')
if not st or st == 'OFFLINE' then
  st = 'AVAILABLE'
  redis.call('HSET', d, 'status', st, 'order', '', 'offer_until', '0')
end
redis.call('HSET', d, 'vehicle', vehicle, 'lat', lat, 'lng', lng, 'cell', cell, 'seen', now)
redis.call('ZADD', P..'seen', now, id)
if st == 'AVAILABLE' then index(id, d) end
return st
`)

// ping: ARGV P, id, lat, lng, cell, now, publish ("1" to feed the live map). Returns
// {status, order}; an OFFLINE driver's ping changes nothing.
var pingScript = redis.NewScript(luaPrelude + `
local id, lat, lng, cell, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local d = P..'drv:'..id
local st, order = unpack(redis.call('HMGET', d, 'status', 'order'))
if not st or st == 'OFFLINE' then return {'OFFLINE', ''} end
redis.call('HSET', d, 'lat', lat, 'lng', lng, 'cell', cell, 'seen', now)
redis.call('ZADD', P..'seen', now, id)
if st == 'AVAILABLE' then index(id, d) end
local msg = id..'|'..lat..'|'..lng..'|'..now..'|'..st
if order and order ~= '' then redis.call('PUBLISH', P..'track:'..order, msg) end
if ARGV[7] == '1' then redis.call('PUBLISH', P..'map', msg) end
return {st, order or ''}
`)

// offline: ARGV P, id. Refused (returns the status) while the driver holds an offer or
// a delivery.
var offlineScript = redis.NewScript(luaPrelude + `
local id = ARGV[2]
local d = P..'drv:'..id
local st = redis.call('HGET', d, 'status')
if st == 'OFFERED' or st == 'ON_DELIVERY' then return st end
unindex(id, d)
redis.call('ZREM', P..'seen', id)
if st then redis.call('HSET', d, 'status', 'OFFLINE') end
return 'OFFLINE'
`)

// reserve: ARGV P, order, driver, offer deadline. OK, ORDER_BUSY (the order already holds
// an offer or a driver) or DRIVER_BUSY (the driver is not AVAILABLE).
var reserveScript = redis.NewScript(luaPrelude + `
local order, id, deadline = ARGV[2], ARGV[3], ARGV[4]
local o = P..'order:'..order
if redis.call('EXISTS', o) == 1 then return 'ORDER_BUSY' end
local d = P..'drv:'..id
if redis.call('HGET', d, 'status') ~= 'AVAILABLE' then return 'DRIVER_BUSY' end
redis.call('HSET', d, 'status', 'OFFERED', 'order', order, 'offer_until', deadline)
redis.call('HSET', o, 'driver', id, 'state', 'OFFERED')
redis.call('ZADD', P..'offers', deadline, id)
unindex(id, d)
redis.call('PUBLISH', P..'offers:'..id, order..'|'..deadline)
return 'OK'
`)

// release: ARGV P, order, driver. Puts an OFFERED driver back (declined, timed out).
var releaseScript = redis.NewScript(luaPrelude + `
local order, id = ARGV[2], ARGV[3]
local d = P..'drv:'..id
local st, held = unpack(redis.call('HMGET', d, 'status', 'order'))
if st ~= 'OFFERED' or held ~= order then return 'NO_OFFER' end
release(id, d, order)
return 'OK'
`)

// accept: ARGV P, order, driver, now. OFFERED -> ON_DELIVERY while the offer is live.
var acceptScript = redis.NewScript(luaPrelude + `
local order, id, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local d = P..'drv:'..id
local st, held, deadline = unpack(redis.call('HMGET', d, 'status', 'order', 'offer_until'))
if st ~= 'OFFERED' or held ~= order or tonumber(deadline) < now then return 'NO_OFFER' end
redis.call('HSET', d, 'status', 'ON_DELIVERY', 'offer_until', '0')
redis.call('ZREM', P..'offers', id)
redis.call('HSET', P..'order:'..order, 'state', 'ASSIGNED')
return 'OK'
`)

// finish: ARGV P, order, driver. ON_DELIVERY -> AVAILABLE (delivered or unassigned); the
// order no longer holds the driver.
var finishScript = redis.NewScript(luaPrelude + `
local order, id = ARGV[2], ARGV[3]
local d = P..'drv:'..id
local st, held = unpack(redis.call('HMGET', d, 'status', 'order'))
if st ~= 'ON_DELIVERY' or held ~= order then return 'NO_DELIVERY' end
release(id, d, order)
return 'OK'
`)

// sweep: ARGV P, now, stale cutoff, limit. Releases offers past their deadline and drops
// AVAILABLE drivers whose last ping is older than the cutoff. Returns {expired, stale}.
var sweepScript = redis.NewScript(luaPrelude + `
local now, cutoff, limit = ARGV[2], ARGV[3], tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', P..'offers', '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(expired) do
  local d = P..'drv:'..id
  local st, order = unpack(redis.call('HMGET', d, 'status', 'order'))
  if st == 'OFFERED' then release(id, d, order) else redis.call('ZREM', P..'offers', id) end
end
local stale = redis.call('ZRANGEBYSCORE', P..'seen', '-inf', cutoff, 'LIMIT', 0, limit)
local dropped = 0
for _, id in ipairs(stale) do
  local d = P..'drv:'..id
  local st = redis.call('HGET', d, 'status')
  if st == 'AVAILABLE' or not st or st == 'OFFLINE' then
    unindex(id, d)
    redis.call('ZREM', P..'seen', id)
    if st then redis.call('HSET', d, 'status', 'OFFLINE') end
    dropped = dropped + 1
  end
end
return {#expired, dropped}
`)
