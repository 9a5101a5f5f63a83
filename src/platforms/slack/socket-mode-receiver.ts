/**
 * A Socket Mode receiver that acknowledges an envelope only after Bolt has run its
 * listeners. Bolt's own `SocketModeReceiver` hands Bolt an `ack` that writes to the socket
 * at once, and Bolt calls it for Events API envelopes *before* dispatching them; Slack
 * would then never redeliver an event whose handler failed. Here `ack` only records the
 * answer, and the answer is sent when `processEvent` resolves. When it rejects (a listener
 * threw), nothing is sent and Slack retries the envelope.
 */
import type { App, Logger as BoltLogger, Receiver, ReceiverEvent, webApi } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { ConnectionChange } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import { createKeyedLock } from '../../core/keyed-lock.js';

export interface DeferredAckSocketModeReceiverOptions {
  appToken: string;
  logger: BoltLogger;
  /** Web API options for `apps.connections.open` (base URL, retries). */
  clientOptions: Omit<webApi.WebClientOptions, 'logLevel' | 'logger'>;
}

interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  body: Record<string, unknown>;
  envelope_id: string;
  type: string;
  retry_num?: number;
  retry_reason?: string;
}

export class DeferredAckSocketModeReceiver implements Receiver {
  readonly client: SocketModeClient;
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
    this.client = new SocketModeClient({ appToken: options.appToken, logger: options.logger, clientOptions: options.clientOptions });
    this.client.on('slack_event', (args: SlackEventArgs) => {
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

/** The channel an Events API envelope is about; commands and interactions are not ordered. */
function channelOf(args: SlackEventArgs): string | undefined {
  if (args.type !== 'events_api') return undefined;
  const event = args.body['event'] as { channel?: unknown } | undefined;
  return typeof event?.channel === 'string' ? event.channel : undefined;
}
