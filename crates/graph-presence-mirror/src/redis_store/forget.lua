-- Forgets users no longer followed, and tells every instance's copy through the stream (an
-- entry with an empty presence).
-- KEYS: presence, seq, gen, confirmed (hashes by user), changes (stream), change count (counter)
-- ARGV: the stream's length cap, then the users
for i = 2, #ARGV do
  local user = ARGV[i]
  if redis.call('HDEL', KEYS[1], user) == 1 then
    redis.call('HDEL', KEYS[2], user)
    redis.call('HDEL', KEYS[3], user)
    redis.call('HDEL', KEYS[4], user)
    local count = redis.call('INCR', KEYS[6])
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[1], '*', 'n', count, 'u', user, 'p', '')
  else
    redis.call('HDEL', KEYS[2], user)
    redis.call('HDEL', KEYS[3], user)
    redis.call('HDEL', KEYS[4], user)
  end
end
return #ARGV - 1
