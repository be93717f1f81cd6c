-- Where is a user in a performance's queue? With ARGV[2] == 'join' the user is also appended when
-- neither waiting nor admitted. One script is one atomic step on the shard that owns the
-- performance's hash tag: two concurrent joins can never get the same place.
--
-- KEYS[1] waiting     sorted set: user id -> arrival number (so rank = place in line)
-- KEYS[2] arrivals    counter that hands out arrival numbers
-- KEYS[3] entry:USER  the user's entry token, present while admitted
-- ARGV[1] user id;  ARGV[2] 'join' or 'peek'
--
-- Returns {'ADMITTED', token, ttl-ms} | {'WAITING', position, waiting-count, joined-now 0/1} | {'NONE'}
local token = redis.call('GET', KEYS[3])
if token then
  return {'ADMITTED', token, redis.call('PTTL', KEYS[3])}
end
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank then
  return {'WAITING', rank + 1, redis.call('ZCARD', KEYS[1]), 0}
end
if ARGV[2] ~= 'join' then
  return {'NONE'}
end
local arrival = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], arrival, ARGV[1])
-- The newest arrival number is the largest score: the new user is last in line.
local waiting = redis.call('ZCARD', KEYS[1])
return {'WAITING', waiting, waiting, 1}
