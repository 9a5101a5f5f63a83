/**
 * Who may run the restricted commands (`/block`, later `/bridge`): people on the per-platform
 * allow-list, plus, when `allowPrivilegedUsers` is on, the platform's own privileged people
 * (Slack workspace admins and owners, Discord members with Manage Channels), as the adapter
 * reports them in `invocation.user.isPrivileged`. A refusal says why and what to do.
 */
import type { CommandUser, PlatformName } from '../core/chat.js';

/** The `permissions` section of the config (see `src/config/schema.ts`). */
export interface PermissionsConfig {
  slackAllowedUserIds: readonly string[];
  discordAllowedUserIds: readonly string[];
  allowPrivilegedUsers: boolean;
}

export type PermissionDecision = { allowed: true; reason: 'allow-list' | 'privileged' } | { allowed: false; message: string };

export interface Permissions {
  /** May `user` on `platform` run a restricted command? `verb` completes "Only … can ___". */
  check(platform: PlatformName, user: CommandUser, verb: string): PermissionDecision;
  /** On the platform's allow-list: a bridge admin, for whom tenant boundaries do not apply. */
  isAdmin(platform: PlatformName, userId: string): boolean;
  /**
   * True when nobody but privileged people can ever pass on Discord (there is no Discord
   * allow-list), so the restricted commands can be hidden from everyone else at registration
   * (`requiresPrivilege`). With an allow-list, hiding them would hide them from the very
   * people listed.
   */
  readonly privilegedOnlyOnDiscord: boolean;
}

const PRIVILEGED_PEOPLE: Readonly<Record<PlatformName, string>> = {
  slack: 'workspace admins and owners',
  discord: 'members who can manage channels',
};

const PLATFORM_LABEL: Readonly<Record<PlatformName, string>> = { slack: 'Slack', discord: 'Discord' };

/** Builds the rules from config; the lists are copied, so later changes to the config do not leak in. */
export function createPermissions(config: PermissionsConfig): Permissions {
  const allowed: Readonly<Record<PlatformName, ReadonlySet<string>>> = {
    slack: new Set(config.slackAllowedUserIds),
    discord: new Set(config.discordAllowedUserIds),
  };
  const allowPrivileged = config.allowPrivilegedUsers;

  function refusal(platform: PlatformName, verb: string): string {
    if (allowPrivileged) return `Only ${PRIVILEGED_PEOPLE[platform]} or people on the bridge's allow-list can ${verb}; ask an admin.`;
    if (allowed[platform].size > 0) return `Only people on the bridge's allow-list can ${verb}; ask an admin to add you.`;
    return `Nobody on ${PLATFORM_LABEL[platform]} can ${verb} yet: the bridge's allow-list is empty; ask an admin.`;
  }

  return {
    privilegedOnlyOnDiscord: allowed.discord.size === 0,
    isAdmin: (platform, userId) => allowed[platform].has(userId),
    check(platform, user, verb) {
      // Exact match: platform user IDs are case-sensitive opaque strings.
      if (allowed[platform].has(user.id)) return { allowed: true, reason: 'allow-list' };
      if (allowPrivileged && user.isPrivileged) return { allowed: true, reason: 'privileged' };
      return { allowed: false, message: refusal(platform, verb) };
    },
  };
}
