/**
 * The Redis job store's read-check-write steps, each one Lua script so that Redis runs it whole: no
 * other client's write lands between the check and the write. Values are JSON (see redis-records.ts).
 */

/** KEYS[1]: a record. ARGV: field, value, ... Writes nothing for a record that was deleted meanwhile. */
export const SET_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

/** KEYS[1]: an output. Counts the attempt and clears what a previous attempt left. */
export const OUTPUT_RUNNING = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', '"running"', 'progress', '0', 'error', 'null')
return 1`;

/** KEYS[1]: the job ids by age. ARGV[1]: key prefix, ARGV[2]: now. The oldest queued job becomes running. */
export const CLAIM_OLDEST = `
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. 'job:' .. id
  if redis.call('HGET', key, 'status') == '"queued"' then
    redis.call('HSET', key, 'status', '"running"', 'startedAt', ARGV[2], 'updatedAt', ARGV[2], 'error', 'null')
    return id
  end
end
return false`;

/**
 * KEYS[1]: a job, KEYS[2..]: its outputs. ARGV[1]: now. A job that is queued or interrupted (or still
 * marked running by a worker that died) becomes running; a finished one is left alone.
 */
export const START_JOB = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == false then return 'missing' end
if status == '"done"' or status == '"failed"' or status == '"canceled"' then return 'finished' end
redis.call('HSET', KEYS[1], 'status', '"running"', 'startedAt', ARGV[1], 'updatedAt', ARGV[1], 'error', 'null')
return 'started'`;

/**
 * KEYS[1]: a job, KEYS[2..]: its outputs. ARGV[1]: now, ARGV[2]: 'retry' (a failed job: every output not
 * done goes back to queued) or 'requeue' (work cut short: the running outputs do). The job is queued
 * again with the share already done as its progress.
 */
export const REQUEUE_JOB = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == false then return 'missing' end
if ARGV[2] == 'retry' and status ~= '"failed"' then return 'not_failed' end
local done = 0
for i = 2, #KEYS do
  local output = redis.call('HGET', KEYS[i], 'status')
  if output == '"done"' then done = done + 1
  elseif output ~= false and (ARGV[2] == 'retry' or output == '"running"') then
    redis.call('HSET', KEYS[i], 'status', '"queued"', 'progress', '0', 'error', 'null')
  end
end
local progress = 0
if #KEYS > 1 then progress = done / (#KEYS - 1) end
redis.call('HSET', KEYS[1], 'status', '"queued"', 'error', 'null', 'finishedAt', 'null', 'updatedAt', ARGV[1],
  'progress', string.format('%.17g', progress))
return 'ok'`;

/** KEYS[1]: a job, KEYS[2..]: its outputs. ARGV[1]: now. Unfinished outputs are canceled, done ones stay. */
export const CANCEL_JOB = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do
  local output = redis.call('HGET', KEYS[i], 'status')
  if output ~= false and output ~= '"done"' then redis.call('HSET', KEYS[i], 'status', '"canceled"') end
end
redis.call('HSET', KEYS[1], 'status', '"canceled"', 'error', 'null', 'updatedAt', ARGV[1], 'finishedAt', ARGV[1])
return 1`;

/** KEYS[1]: a job. ARGV[1]: the FFmpeg build. The first build recorded stays. */
export const RECORD_FFMPEG = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'ffmpeg')
if current == false or current == 'null' then redis.call('HSET', KEYS[1], 'ffmpeg', ARGV[1]) end
return 1`;
