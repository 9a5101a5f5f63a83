/**
 * The sliding-window log of a clustered budget: two sorted sets in Redis (every admission,
 * and the background ones), scored by admission time on Redis's own clock (`TIME`), so
 * replicas' clocks never matter. One Lua script prunes, decides and records atomically; it
 * mirrors `decideAdmission` (window-log.ts) rule for rule.
 *
 * Losing the state is harmless by construction: missing keys are an empty log, and the
 * next admission creates them again. Every call (refusals included) pushes their expiry to
 * two spans out, and a replica with requests waiting calls again within a span, so the
 * keys only expire once nothing waits anywhere.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from './budget-redis.js';
import type { AdmissionAsk, AdmissionDecision, WindowRules, WindowStore } from './window-log.js';

// KEYS: all, background. ARGV: span, limit, background limit, pace ms, headroom,
// interactive asked, background asked, dry run (1/0), member prefix.
// Returns: interactive admitted, background admitted, interactive retry, background retry, now.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local span, limit, bgLimit, pace, headroom = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local askI, askB, dry = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8] == '1'
for _, key in ipairs(KEYS) do redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span) end
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local total = #entries / 2
local bg = redis.call('ZCARD', KEYS[2])
local admitI = math.min(askI, math.max(0, limit - total))
local recorded = total
total = total + admitI
local paced = -1e18
for i = 2, #entries, 2 do paced = math.max(paced, tonumber(entries[i])) + pace end
for i = 1, admitI do paced = math.max(paced, now) + pace end
local free, lendable = limit - headroom, math.max(0, headroom - 1)
local leaving = redis.call('ZCOUNT', KEYS[1], '-inf', now + pace - span)
local admitB = 0
if askB > 0 and bg < bgLimit and paced <= now + pace and total < free + math.min(leaving, lendable) then
  admitB, total, bg = 1, total + 1, bg + 1
end
if not dry then
  for i = 1, admitI do redis.call('ZADD', KEYS[1], now, ARGV[9] .. 'i' .. i) end
  if admitB == 1 then
    redis.call('ZADD', KEYS[1], now, ARGV[9] .. 'b')
    redis.call('ZADD', KEYS[2], now, ARGV[9] .. 'b')
  end
  recorded = total
end
local function expiry(key, rank, size)
  if rank < 0 then return 0 end
  if rank >= size then return span end
  local entry = redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')
  return tonumber(entry[2]) + span - now
end
local retryI = -1
if askI > admitI then retryI = expiry(KEYS[1], total - limit, recorded) end
local retryB = -1
if askB > admitB then
  retryB = math.max(0, paced - pace - now)
  if bg >= bgLimit then retryB = math.max(retryB, expiry(KEYS[2], bg - bgLimit, dry and bg - admitB or bg)) end
  if total >= free then retryB = math.max(retryB, expiry(KEYS[1], total - free - lendable, recorded), expiry(KEYS[1], total - free, recorded) - pace) end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, 2 * span) end
return {admitI, admitB, retryI, retryB, now}`;

const ADMIT_SHA = createHash('sha1').update(ADMIT).digest('hex');

/**
 * The error code of a Redis error reply. Redis 7 puts `ERR ` before codes raised from
 * scripts (`ERR NOSCRIPT …` where 6 said `NOSCRIPT …`): both mean the same.
 */
export function redisErrorCode(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.startsWith('ERR ') ? message.slice(4) : message).split(' ')[0] ?? '';
}

export function createRedisWindowStore(client: RedisClient, keyBase: string, rules: WindowRules): WindowStore {
  const keys = [`${keyBase}:log`, `${keyBase}:log-background`];
  // Members must be unique across replicas and calls: a random replica tag and a counter.
  const replicaTag = randomBytes(6).toString('hex');
  let calls = 0;

  async function run(args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await client.evalSha(ADMIT_SHA, options);
    } catch (error) {
      // The script cache is empty after a Redis restart or SCRIPT FLUSH: send the script.
      if (redisErrorCode(error) !== 'NOSCRIPT') throw error;
      return client.eval(ADMIT, options);
    }
  }

  return {
    async admit(ask: AdmissionAsk): Promise<AdmissionDecision> {
      calls += 1;
      const reply = (await run([
        String(rules.spanMs),
        String(rules.limit),
        String(rules.backgroundLimit),
        String(rules.paceMs),
        String(rules.headroom),
        String(ask.interactive),
        String(ask.background),
        ask.dryRun ? '1' : '0',
        `${replicaTag}:${calls}:`,
      ])) as unknown as number[];
      const [interactive = 0, background = 0, interactiveRetryMs = -1, backgroundRetryMs = -1, now = Date.now()] = reply.map(Number);
      return { interactive, background, interactiveRetryMs, backgroundRetryMs, now };
    },
  };
}
