-- Replaces the placement (which identity watches which users) only if nobody changed it since
-- it was read: two instances adding users at once cannot both win with different placements.
-- KEYS: the placement hash
-- ARGV: the version read ('0' when there was none), the new placement JSON, the epoch, the
--       notification URL
-- Returns the new version, or -1 when the version read is no longer the one held.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'version', version + 1, 'placement', ARGV[2], 'epoch', ARGV[3],
  'notification_url', ARGV[4])
return version + 1
