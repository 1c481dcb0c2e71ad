"""The Lua scripts of :mod:`framework.runner.redis_queue`.

Each multi-step change of the Redis queue is one script, so Redis runs it atomically, and each
is written so that running it again after a lost reply changes nothing: a settle step starts
with ``XACK``, which answers 0 for an entry no longer pending, and then does nothing.

Job fields in a stream entry: ``body`` (the message as JSON text), ``attempts``, ``first_seen``,
``available_at`` and ``last_error`` (JSON text or empty). A delayed job is the same fields as
one JSON member of a sorted set scored by its not-before time, plus a unique ``u`` so that two
equal jobs stay two members.
"""

from __future__ import annotations

__all__ = ["PROMOTE", "ACK", "NACK", "DEAD", "EXTEND", "REDRIVE", "FAN_OUT"]

# The start of a settle step: ack entry ARGV[2] of group ARGV[1] on stream KEYS[1] (stopping
# there if it is not pending any more), take it out of the stream and read its fields into f.
_TAKE = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if #entry == 0 then return 0 end
local f = {}
local fields = entry[1][2]
for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
"""

#: Move the due delayed jobs back into the stream.
#: KEYS: stream, delayed; ARGV: now, limit.
PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local job = cjson.decode(member)
  redis.call('XADD', KEYS[1], '*', 'body', job.body, 'attempts', job.attempts,
             'first_seen', job.first_seen, 'available_at', job.available_at,
             'last_error', job.last_error)
  redis.call('ZREM', KEYS[2], member)
end
return #due
"""

#: Delivered: XACK, then XDEL (never XTRIM, which can drop entries still pending).
#: KEYS: stream, meta; ARGV: group, entry ids...
ACK = """
local done = 0
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    done = done + 1
  end
end
if done > 0 then redis.call('HINCRBY', KEYS[2], 'acked', done) end
return done
"""

#: Retry later: the entry leaves the stream and waits in the delayed set, one attempt more
#: (none when the caller does not count this one).
#: KEYS: stream, delayed; ARGV: group, entry id, available_at, last_error, unique, attempts to
#: add.
NACK = _TAKE + """
local attempts = tostring(tonumber(f.attempts or '0') + tonumber(ARGV[6] or '1'))
local job = {body = f.body, attempts = attempts, first_seen = f.first_seen,
             available_at = ARGV[3], last_error = ARGV[4], u = ARGV[5]}
redis.call('ZADD', KEYS[2], ARGV[3], cjson.encode(job))
return 1
"""

#: Failed for good: the entry moves to the dead-letter stream with its error.
#: KEYS: stream, dead, meta; ARGV: group, entry id, error, destination.
DEAD = _TAKE + """
redis.call('XADD', KEYS[2], '*', 'body', f.body,
           'attempts', tostring(tonumber(f.attempts or '0') + 1),
           'first_seen', f.first_seen, 'error', ARGV[3], 'destination', ARGV[4])
redis.call('HINCRBY', KEYS[3], 'dead', 1)
return 1
"""

#: Renew the leases this consumer still holds (never one another consumer took over).
#: KEYS: stream; ARGV: group, consumer, entry ids...
EXTEND = """
local renewed = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    renewed = renewed + 1
  end
end
return renewed
"""

#: Dead letters of one destination back into its stream, optionally filtered by the error's
#: class and status, with a fresh attempt count and first-seen time.
#: KEYS: dead, stream, meta; ARGV: destination, now, class or '', status or '', limit.
REDRIVE = """
local moved = 0
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
for _, entry in ipairs(entries) do
  local f = {}
  local fields = entry[2]
  for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
  local ok = (f.destination == ARGV[1])
  if ok and (ARGV[3] ~= '' or ARGV[4] ~= '') then
    local err = cjson.decode(f.error)
    if ARGV[3] ~= '' and tostring(err['class']) ~= ARGV[3] then ok = false end
    if ARGV[4] ~= '' and tostring(err['status']) ~= ARGV[4] then ok = false end
  end
  if ok and moved < tonumber(ARGV[5]) then
    redis.call('XADD', KEYS[2], '*', 'body', f.body, 'attempts', '0', 'first_seen', ARGV[2],
               'available_at', ARGV[2], 'last_error', f.error)
    redis.call('XDEL', KEYS[1], entry[1])
    moved = moved + 1
  end
end
if moved > 0 then redis.call('HINCRBY', KEYS[3], 'dead', -moved) end
return moved
"""

#: One job per message per destination, leaving out messages whose messageId the source sent
#: within the window: a key per id holds when it was seen (so the caller's clock decides) and
#: expires a window later (so the keys do not pile up); a repeat in the same call counts.
#: KEYS: the destinations' streams; ARGV: seen-key prefix or '', window seconds, now, then
#: messageId and body of each message.
FAN_OUT = """
local accepted, duplicates = 0, 0
local now, window = tonumber(ARGV[3]), tonumber(ARGV[2])
for i = 4, #ARGV, 2 do
  local fresh = true
  if ARGV[1] ~= '' and ARGV[i] ~= '' then
    local seen = redis.call('GET', ARGV[1] .. ARGV[i])
    if seen and tonumber(seen) >= now - window then
      fresh = false
    else
      redis.call('SET', ARGV[1] .. ARGV[i], ARGV[3], 'EX', math.ceil(window))
    end
  end
  if fresh then
    for k = 1, #KEYS do
      redis.call('XADD', KEYS[k], '*', 'body', ARGV[i + 1], 'attempts', '0',
                 'first_seen', ARGV[3], 'available_at', ARGV[3], 'last_error', '')
    end
    accepted = accepted + 1
  else
    duplicates = duplicates + 1
  end
end
return {accepted, duplicates}
"""
