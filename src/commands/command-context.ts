import type { ChatSchedulePort } from '../delivery/platform-sender.ts';
import type { DigestService } from '../digest/digest-service.ts';
import type { Chat } from '../domain/types.ts';
import type { HeadlinesService } from '../search/headlines-service.ts';
import type { SourceService } from '../sources/source-service.ts';
import type { ChatStore } from '../store/chat-store.ts';
import type { SourceStore } from '../store/source-store.ts';

/** What command handlers use from the core and the job runtime. */
export interface CommandDeps {
  chats: ChatStore;
  sources: SourceStore;
  sourceService: Pick<SourceService, 'add'>;
  headlines: Pick<HeadlinesService, 'query'>;
  digests: Pick<DigestService, 'runNow'>;
  schedules: ChatSchedulePort;
}

/** Who asks, about which chat. The adapter resolves the target chat and the actor's rights. */
export interface CommandContext {
  /** The chat whose settings the command reads or changes (a channel managed from a private chat too). */
  chat: Chat;
  /** The actor may change settings (private chat, or an administrator of the group/channel). */
  canManage: boolean;
  /** Forum topic the command was sent in; new subscriptions post there. */
  threadId: string | null;
}

/** Most subscriptions per chat, filter words per list, digest times. */
export const LIMITS = {
  subscriptions: 100,
  filterWords: 20,
  wordChars: 50,
  times: 6,
  opmlBytes: 512 * 1024,
  opmlItems: 50,
};
