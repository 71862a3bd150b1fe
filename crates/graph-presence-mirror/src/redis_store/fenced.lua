-- Writes (or deletes) one identity's subscription record, or extends or releases its lease, only while this instance holds the lease with this fencing token: a holder whose lease
-- lapsed (a pause, a partition) cannot overwrite what the next holder wrote.
-- KEYS: the lease, the record
-- ARGV: this instance, its token, 'set' | 'delete' | 'check' | 'release' | 'extend', the value
--       (for 'extend': the lease's length in milliseconds)
-- Returns 1 when done, 0 when the lease is not this instance's with this token.
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. '|' .. ARGV[2] then return 0 end
if ARGV[3] == 'set' then
  redis.call('SET', KEYS[2], ARGV[4])
elseif ARGV[3] == 'delete' then
  redis.call('DEL', KEYS[2])
elseif ARGV[3] == 'release' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == 'extend' then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
