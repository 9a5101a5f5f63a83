/** Channels linked to a Fluxra conversation are served by the mirror from the time they were linked. */
import type { ServedChannel } from '../core/consumer.js';
import type { LinksRepository } from '../store/index.js';

export function linkedChannels(links: LinksRepository): () => Promise<ServedChannel[]> {
  return async () => (await links.list()).map(({ channel, link }) => ({ channel, since: link.linkedAt }));
}
