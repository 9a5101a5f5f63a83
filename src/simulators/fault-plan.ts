/**
 * A fault plan shared by the simulators (issue 16, the fault matrix): "the Nth call of this
 * kind, counted from when the rule was armed, fails like this". Each simulator names the
 * calls it serves by kind (`fluxra.send`, `slack.post`, `discord.webhook`, `blocks.poll`, …),
 * asks the plan about every call, and applies what it answers with `applyOutboundFault`, so
 * a test can make any outbound call of the bridge fail without touching the bridge's code.
 *
 * The three faults are the three things a caller cannot tell apart from a clean answer:
 * - `5xx`: the service answered 503 and did nothing;
 * - `timeout-after-arrival`: the service did the work, but the answer never comes (the
 *   connection is cut after `holdMs`, longer than the caller's deadline), so the caller
 *   does not know that it worked;
 * - `reset-before-arrival`: the connection is reset before the service did anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const OUTBOUND_FAULTS = ['5xx', 'timeout-after-arrival', 'reset-before-arrival'] as const;
export type OutboundFault = (typeof OUTBOUND_FAULTS)[number];

/** Every outbound call kind the simulators can fail, by service. */
export const CALL_KINDS = [
  'fluxra.send',
  'fluxra.edit',
  'fluxra.delete',
  'fluxra.list',
  'slack.post',
  'slack.update',
  'slack.delete',
  'slack.history',
  'discord.post',
  'discord.webhook',
  'discord.edit',
  'discord.history',
  'blocks.create',
  'blocks.follow-up',
  'blocks.poll',
] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export interface FaultRuleSpec {
  call: CallKind;
  fault: OutboundFault;
  /** Which calls of that kind fail, 1-based, counted from `arm`. */
  occurrences: readonly number[];
}

export interface InjectedFault {
  call: CallKind;
  fault: OutboundFault;
  occurrence: number;
  at: number;
}

export interface FaultPlan {
  /** How long a `timeout-after-arrival` answer is held before its connection is cut. */
  readonly holdMs: number;
  arm(rule: FaultRuleSpec): void;
  /** Disarms every rule (faults already being applied run their course). */
  clear(): void;
  /** Called by a simulator for each call of `call` it serves: the fault for this one, if any. */
  next(call: CallKind): OutboundFault | undefined;
  /** Faults applied so far, oldest first. */
  readonly injected: readonly InjectedFault[];
  /** Occurrences armed and not reached yet. */
  pending(): number;
}

interface ArmedRule {
  spec: FaultRuleSpec;
  seen: number;
  left: Set<number>;
}

export function createFaultPlan(options: { holdMs?: number } = {}): FaultPlan {
  const rules: ArmedRule[] = [];
  const injected: InjectedFault[] = [];
  return {
    holdMs: options.holdMs ?? 2_000,
    arm(spec) {
      if (spec.occurrences.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError('occurrences are 1-based integers');
      rules.push({ spec, seen: 0, left: new Set(spec.occurrences) });
    },
    clear() {
      rules.length = 0;
    },
    next(call) {
      let fault: OutboundFault | undefined;
      for (const rule of rules) {
        if (rule.spec.call !== call) continue;
        rule.seen += 1;
        if (fault === undefined && rule.left.delete(rule.seen)) {
          fault = rule.spec.fault;
          injected.push({ call, fault, occurrence: rule.seen, at: Date.now() });
        }
      }
      return fault;
    },
    injected,
    pending: () => rules.reduce((sum, rule) => sum + rule.left.size, 0),
  };
}

/** What a simulator answers for `5xx`, in its service's error shape. */
export interface FaultAnswer {
  status: number;
  body: string;
  contentType: string;
}

/**
 * Applies `fault` to one request: `proceed` is the simulator's normal handling (which
 * writes the answer to `res`). Returns once the request is dealt with; the held answer of a
 * `timeout-after-arrival` is dropped in the background.
 */
export function applyOutboundFault(
  fault: OutboundFault,
  req: IncomingMessage,
  res: ServerResponse,
  proceed: () => unknown,
  options: { holdMs: number; answer5xx: FaultAnswer; timers?: Set<NodeJS.Timeout> },
): void {
  if (fault === 'reset-before-arrival') {
    req.socket.resetAndDestroy();
    return;
  }
  if (fault === '5xx') {
    res.writeHead(options.answer5xx.status, { 'content-type': options.answer5xx.contentType });
    res.end(options.answer5xx.body);
    return;
  }
  // The work is done, the answer is swallowed, and the connection dies after the caller gave up.
  const muted = res as unknown as Record<string, unknown>;
  const chain = (): ServerResponse => res;
  muted['writeHead'] = chain;
  muted['setHeader'] = chain;
  muted['write'] = () => true;
  muted['end'] = chain;
  const socket = req.socket;
  void Promise.resolve()
    .then(proceed)
    .catch(() => undefined);
  const timer = setTimeout(() => {
    options.timers?.delete(timer);
    socket.destroy();
  }, options.holdMs);
  timer.unref();
  options.timers?.add(timer);
}
