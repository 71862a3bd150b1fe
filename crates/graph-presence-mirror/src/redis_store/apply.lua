-- One user's presence, compared and set atomically: the rules of the mirror's store.rs, so
-- that every instance applying updates in any order keeps the newest.
-- KEYS: presence, seq, gen, confirmed (hashes by user), generation (counter), changes (stream),
--       change count (counter)
-- ARGV: user, incoming sequence number ('' for none), presence JSON, now (RFC 3339),
--       source ('notification' | 'read'), read sent at generation ('' for a notification),
--       the stream's length cap
-- Returns {newer, replaced} as 0/1.
local user, incoming, presence, now, source, sent_at, cap =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]

-- The notifications crate's order: all digits compare as numbers, anything else bytewise.
local function compare(a, b)
  local function digits(s) return s ~= '' and not string.find(s, '%D') end
  if digits(a) and digits(b) then
    a = (string.gsub(a, '^0+', ''))
    b = (string.gsub(b, '^0+', ''))
    if #a ~= #b then return #a < #b and -1 or 1 end
  end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  if #a == #b then return 0 end
  return #a < #b and -1 or 1
end

local held_seq = redis.call('HGET', KEYS[2], user)
local held_gen = tonumber(redis.call('HGET', KEYS[3], user) or '0')
local newer
if incoming ~= '' then
  newer = (not held_seq) or compare(incoming, held_seq) > 0
elseif sent_at ~= '' then
  newer = held_gen <= tonumber(sent_at)
else
  newer = true
end
local same = incoming ~= '' and held_seq and compare(incoming, held_seq) == 0
if newer or same or source == 'read' then
  redis.call('HSET', KEYS[4], user, now)
end
if not newer then return {0, 0} end

local generation = redis.call('INCR', KEYS[5])
if incoming ~= '' then redis.call('HSET', KEYS[2], user, incoming) end
local held = redis.call('HGET', KEYS[1], user)
redis.call('HSET', KEYS[3], user, generation)
if held == presence then return {1, 0} end
redis.call('HSET', KEYS[1], user, presence)
local count = redis.call('INCR', KEYS[7])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', cap, '*',
  'n', count, 'u', user, 'p', presence, 's', redis.call('HGET', KEYS[2], user) or '',
  'g', generation, 'c', now, 'src', source)
return {1, held and 1 or 0}
