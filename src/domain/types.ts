/**
 * Domain types shared by the core, the adapters and the jobs. Stores return these plain
 * objects; no mongoose type leaves `src/store/`.
 */

/** Script a reader wants headlines in: as published, Simplified, or Traditional (HK or TW wording). */
export type Script = 'original' | 'hans' | 'hant' | 'hant-hk' | 'hant-tw';

/** UI languages with a catalog in `src/i18n/`. */
export type Locale = 'zh-Hans' | 'zh-Hant' | 'en';

/**
 * How much of an item a chat sees: the linked title alone, the title with a one-line summary, or
 * title, summary and the lead image (docs/decisions/0012-item-formats.md).
 */
export type ItemFormat = 'titles' | 'summary' | 'full';

/** What kind of document a source serves. */
export type SourceKind = 'rss' | 'atom' | 'rdf' | 'json' | 'html';

/** Where an outlet reports from, for showing one story across regions (`/story`). */
export type Region = 'mainland' | 'hk' | 'tw' | 'overseas';

/** Health of a source, updated on every fetch. */
export interface SourceHealth {
  /** Consecutive failed fetches; 0 after a success. */
  failures: number;
  lastFetchedAt: Date | null;
  lastSuccessAt: Date | null;
  /** Secret-free reason of the last failure. */
  lastError: string | null;
  /** Set when the source was disabled after repeated failure. */
  disabledAt: Date | null;
  disabledReason: string | null;
  /**
   * What the last successful fetch had to repair or leave out (ill-formed XML, damaged bytes,
   * items beyond the per-document limit); null when it was clean.
   */
  lastWarning?: string | null;
  /** What kind of failure the last one was (`http_404`, `timeout`, `tls`, …; see failure-kind.ts). */
  lastErrorKind?: string | null;
  /** Kind of the failure that disabled the source. */
  disabledKind?: string | null;
  /** Failed re-probes since the source was disabled (each doubles the wait before the next). */
  probes?: number;
  /** Its chats were told it was disabled (a notice interrupted by a crash is built at the next probe). */
  downNotified?: boolean;
}

/** A news source that is polled. */
export interface Source {
  id: string;
  /** The URL the user gave, or the feed it led to. */
  url: string;
  name: string;
  kind: SourceKind;
  /** Poll interval in seconds. */
  intervalSec: number;
  /** Earliest time the next poll may run (interval, feed TTL or failure backoff). */
  nextFetchAt: Date;
  etag: string | null;
  lastModified: string | null;
  health: SourceHealth;
  /** Listed in every chat's /sources (operator's choice); others see only sources they follow. */
  public?: boolean;
  createdAt: Date;
  /** Region the operator set (`newsrelay sources region`); null or absent: guessed from the URL. */
  region?: Region | null | undefined;
}

/** A source whose poll is due: what a poll tick needs to name its fetch job. */
export type DueSource = Pick<Source, 'id' | 'intervalSec'>;

/** An article stored once per canonical URL. */
export interface Article {
  id: string;
  sourceId: string;
  url: string;
  guid: string | null;
  title: string;
  summary: string;
  author: string | null;
  publishedAt: Date;
  fetchedAt: Date;
  /** SimHash of the normalised title and lead, as 16 hex digits. */
  fingerprint: string;
  /** Id of the first article of this near-duplicate cluster (itself when it is the first). */
  clusterId: string;
  /** Normalised index terms (word segments and CJK bigrams). */
  terms: string[];
  /** The lead image: an absolute http(s) URL of bounded length, or null (absent before 0012). */
  imageUrl?: string | null;
}

/** An article with the other sources that reported the same story. */
export interface ArticleWithCluster extends Article {
  sourceName: string;
  /** Names of other sources in the same near-duplicate cluster. */
  alsoReportedBy: string[];
}

/** Platforms with an adapter. */
export type Platform = 'telegram' | 'discord';

/** Kind of conversation on a platform. */
/** Every kind of chat, for validating what comes back from outside the process (queue payloads). */
export const CHAT_TYPES = [
  'private',
  'group',
  'supergroup',
  'channel',
  'guild',
  'guild-channel',
  'dm',
] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

/** A subscription of a chat: to a source, or to a keyword across all sources. */
export interface Subscription {
  id: string;
  kind: 'source' | 'keyword';
  sourceId: string | null;
  keyword: string | null;
  /** Push each new article at once instead of waiting for the digest. */
  instant: boolean;
  /** Forum topic (Telegram `message_thread_id`) or thread the subscription posts into. */
  threadId: string | null;
  /** The chat's own name for it (`/rename`), shown instead of the source's name or the keyword. */
  name: string | null;
  /** Normalised words its articles must contain one of (when any), on top of the chat's filters … */
  include: string[];
  /** … and must contain none of. */
  exclude: string[];
  /** Muted: stays subscribed and listed, but contributes nothing to digests or instant items. */
  muted: boolean;
  /** Item format of this subscription's items; null or absent: the chat's. */
  format?: ItemFormat | null;
  createdAt: Date;
}

/**
 * A conversation newsrelay delivers to: a Telegram chat, a Discord channel, or a Discord
 * guild (which holds the settings its channels share). `key` is `${platform}:${chatId}`.
 */
export interface Chat {
  key: string;
  platform: Platform;
  chatId: string;
  type: ChatType;
  title: string | null;
  /** The guild of a Discord channel. */
  parentKey: string | null;
  locale: Locale;
  script: Script;
  timezone: string;
  /** Digest times as `HH:MM` in the chat's timezone, sorted. */
  digestTimes: string[];
  paused: boolean;
  /** False once the platform said the chat is gone (blocked, kicked, deleted). */
  active: boolean;
  deactivatedReason: string | null;
  /** Normalised keywords an article must contain one of (when any) … */
  include: string[];
  /** … and must contain none of. */
  exclude: string[];
  subscriptions: Subscription[];
  lastDigestAt: Date | null;
  /** Epoch ms of the scheduled slot of the last digest built. */
  lastDigestSlot: number | null;
  /** Search-journal number the last digest covered up to (null before the first digest). */
  lastDigestSeq: number | null;
  /** How items are shown unless a subscription says otherwise; absent: `titles`. */
  itemFormat?: ItemFormat;
  /** Link previews under messages (where the platform makes them); absent: off. */
  linkPreviews?: boolean;
  createdAt: Date;
}

/**
 * A chat as a digest group's scan reads it, with when its settings were last saved (by the clock
 * of the process that saved them; digest marks do not count as saves).
 */
export interface SavedChat extends Chat {
  savedAt: Date;
}

/** A digest item: one near-duplicate cluster, shown through one of its articles. */
export interface DigestItem {
  articleId: string;
  title: string;
  url: string;
  sourceName: string;
  publishedAt: string;
  alsoReportedBy: string[];
  /** The item's format when it is richer than `titles`; absent for titles only. */
  format?: Exclude<ItemFormat, 'titles'>;
  /** One-line summary (at most 200 characters, in the chat's script), when the format shows one. */
  summary?: string;
  /** Lead image (absolute http(s)), when the format shows one and the article has one. */
  imageUrl?: string;
}

/** Platform-neutral digest or instant message; adapters render and split it. */
export interface OutgoingMessage {
  kind: 'digest' | 'instant' | 'notice';
  locale: Locale;
  /** Heading line (already localised). */
  heading: string;
  /** Items grouped by source, in display order. Titles are already in the chat's script. */
  groups: Array<{ sourceName: string; items: DigestItem[] }>;
  /** Plain text, for notices. */
  text?: string;
  /** Forum topic / thread to post into. */
  threadId: string | null;
  timezone: string;
  /** Link previews on (the chat's setting); absent: off. */
  previews?: boolean;
}
