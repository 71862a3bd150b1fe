-- Takes or extends one identity's lease. Whoever holds it alone acts on that identity's
-- subscription; each new holder gets a larger fencing token.
-- KEYS: the lease, the identity's fencing counter, the count of takeovers (a lease taken after
--       another instance held it: whatever that one had received may be lost)
-- ARGV: this instance, the lease's length in milliseconds
-- Returns {token, 1 when newly taken} or {0, 0} while another instance holds it.
local held = redis.call('GET', KEYS[1])
if held then
  local owner, token = string.match(held, '^(.*)|(%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {tonumber(token), 0}
  end
  return {0, 0}
end
local token = redis.call('INCR', KEYS[2])
if token > 1 then redis.call('INCR', KEYS[3]) end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return {token, 1}
