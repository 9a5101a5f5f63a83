/**
 * A Socket Mode receiver that acknowledges an envelope only after Bolt has run its
 * listeners. Bolt's own `SocketModeReceiver` hands Bolt an `ack` that writes to the socket
 * at once, and Bolt calls it for Events API envelopes *before* dispatching them; Slack
 * would then never redeliver an event whose handler failed. Here `ack` only records the
 * answer, and the answer is sent when `processEvent` resolves. When it rejects (a listener
 * threw), nothing is sent and Slack retries the envelope. Envelopes Bolt cannot dispatch
 * (a type it does not know, or a malformed payload the client renamed) are acked at once and
 * logged: Bolt would neither handle nor ack them, and Slack would redeliver them forever.
 */
import type { App, Logger as BoltLogger, Receiver, ReceiverEvent, webApi } from '@slack/bolt';
import type { ConnectionChange } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import { createKeyedLock } from '../../core/keyed-lock.js';
import { GuardedSocketModeClient, MALFORMED_ENVELOPE } from './socket-mode-client.js';

export interface DeferredAckSocketModeReceiverOptions {
  appToken: string;
  logger: BoltLogger;
  /** Web API options for `apps.connections.open` (base URL, retries). */
  clientOptions: Omit<webApi.WebClientOptions, 'logLevel' | 'logger'>;
}

interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  body: Record<string, unknown>;
  envelope_id: string | undefined;
  type: string;
  retry_num?: number;
  retry_reason?: string;
}

export class DeferredAckSocketModeReceiver implements Receiver {
  readonly client: GuardedSocketModeClient;
  private app: App | undefined;
  private readonly logger: BoltLogger;
  /**
   * Envelopes of one channel are processed one after another, in the order they came off
   * the socket: Bolt runs each envelope's middleware concurrently, and an async step (a
   * users.info lookup) would otherwise let a later message overtake an earlier one.
   */
  private readonly perChannel = createKeyedLock();

  constructor(options: DeferredAckSocketModeReceiverOptions) {
    this.logger = options.logger;
    this.client = new GuardedSocketModeClient({ appToken: options.appToken, logger: options.logger, clientOptions: options.clientOptions });
    this.client.on('slack_event', (args: SlackEventArgs) => {
      if (!BOLT_ENVELOPE_TYPES.has(args.type)) {
        void this.ackUndispatchable(args);
        return;
      }
      const channel = channelOf(args);
      void (channel === undefined ? this.dispatch(args) : this.perChannel.run(channel, () => this.dispatch(args)));
    });
  }

  /**
   * Reports reconnections for catch-up. Slack has no resume: events of the gap come back
   * only as a few retries, so every new connection after the first may have lost some.
   * `connected` (Slack's hello) comes before any envelope of that connection.
   */
  onConnectionChange(listener: (change: ConnectionChange) => void): void {
    let connections = 0;
    this.client.on('reconnecting', () => listener({ kind: 'interrupted' }));
    this.client.on('connected', () => {
      connections += 1;
      if (connections > 1) listener({ kind: 'restored', lost: true });
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<unknown> {
    return this.client.start();
  }

  async stop(): Promise<unknown> {
    return this.client.disconnect();
  }

  /** Acks an envelope no listener can handle, so that Slack does not redeliver it, and says why once. */
  private async ackUndispatchable(args: SlackEventArgs): Promise<void> {
    const detail =
      args.type === MALFORMED_ENVELOPE ? `malformed ${String(args.body['original_type'])} envelope (${String(args.body['problem'])})` : `envelope of unknown type ${args.type}`;
    if (typeof args.envelope_id !== 'string') {
      this.logger.warn(`Socket Mode frame of unknown type ${args.type} ignored`);
      return;
    }
    this.logger.warn(`Socket Mode ${detail} ${args.envelope_id} acknowledged and dropped`);
    try {
      await args.ack();
    } catch (error) {
      this.logger.warn(`Socket Mode ack of ${args.envelope_id} failed: ${describeError(error)}`);
    }
  }

  private async dispatch(args: SlackEventArgs): Promise<void> {
    let acked = false;
    let response: Record<string, unknown> | undefined;
    const event: ReceiverEvent = {
      body: args.body,
      // Slack sends retry_attempt 0 on first deliveries; only a real redelivery counts.
      ...(args.retry_num ? { retryNum: args.retry_num } : {}),
      ...(args.retry_reason ? { retryReason: args.retry_reason } : {}),
      ack: async (answer?: unknown) => {
        acked = true;
        if (answer !== undefined && answer !== null && answer !== '') response = typeof answer === 'string' ? { text: answer } : (answer as Record<string, unknown>);
      },
    };
    try {
      await this.app?.processEvent(event);
    } catch (error) {
      this.logger.warn(`Socket Mode envelope ${args.envelope_id} (${args.type}) not acknowledged, Slack will redeliver it: ${describeError(error)}`);
      return;
    }
    if (!acked) return;
    try {
      await args.ack(response);
    } catch (error) {
      this.logger.warn(`Socket Mode ack of ${args.envelope_id} failed: ${describeError(error)}`);
    }
  }
}

/** The envelope types Bolt dispatches to listeners (Socket Mode's documented types). */
const BOLT_ENVELOPE_TYPES = new Set(['events_api', 'slash_commands', 'interactive']);

/** The channel an Events API envelope is about; commands and interactions are not ordered. */
function channelOf(args: SlackEventArgs): string | undefined {
  if (args.type !== 'events_api') return undefined;
  const event = args.body['event'] as { channel?: unknown } | undefined;
  return typeof event?.channel === 'string' ? event.channel : undefined;
}
