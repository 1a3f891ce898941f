/**
 * A local fake of Discord's REST API and gateway for the real discord.js `Client`:
 *
 * ```ts
 * const fake = await startFakeDiscord();
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `${fake.url}/api` } });
 * await client.login(fake.token);
 * ```
 *
 * No other client option is needed: without `zlib-sync` installed, discord.js 14.28 passes
 * `compression: null` to @discordjs/ws, which connects to `${url}?v=10&encoding=json` and identifies
 * with `compress: false`, so frames are plain JSON text. (The fake also speaks `compress=zlib-stream`
 * and identify compression, should `zlib-sync` ever be installed.)
 *
 * The gateway lives in `discord-gateway.ts`, Discord's payload limits and buckets in `discord-limits.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  channelPayload,
  type FakeChannelInput,
  FakeGateway,
  type FakeGuildInput,
  type FakeUser,
  guildPayload,
  memberPayload,
  randomToken,
  snowflake,
  userPayload,
} from './discord-gateway.ts';
import {
  type ErrorTree,
  type InjectedError,
  isEmptyMessage,
  RestLimiter,
  validateAutocomplete,
  validateCommand,
  validateCommandList,
  validateMessage,
  validateThreadStart,
} from './discord-limits.ts';

export type {
  FakeChannelInput,
  FakeForumTag,
  FakeGuildInput,
  FakeMemberInput,
  FakeRoleInput,
  FakeUser,
} from './discord-gateway.ts';

/** Discord JSON as the fake and its tests handle it (loosely typed on purpose). */
// biome-ignore lint/suspicious/noExplicitAny: test-side Discord JSON; callers read nested fields freely
export type Json = any;

/** One REST request the fake received (every request, including rejected ones). */
export interface RecordedRest {
  method: string;
  /** Path without `/api/v10` and without the query string. */
  path: string;
  query: string;
  body: unknown;
  headers: Record<string, string>;
  at: number;
  /** Answered status. */
  status?: number;
  files?: Array<{ name: string; data: Buffer }>;
}

/** A message the fake stored (what Discord would return, plus the `allowed_mentions` sent). */
export interface StoredMessage {
  id: string;
  channel_id: string;
  content?: string;
  embeds?: Json[];
  components?: Json[];
  allowed_mentions?: Json;
  flags?: number;
  attachments?: Json[];
  [key: string]: unknown;
}

/** An accepted answer to an interaction. */
export interface InteractionResponse {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  /** Callback type (4 reply, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal). */
  type?: number;
  data: Json;
  at: number;
}

/** A command option as sent inside an interaction. */
export interface InteractOption {
  name: string;
  /** 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 10 number. */
  type: number;
  value?: string | number | boolean;
  options?: InteractOption[];
  focused?: boolean;
}

/** What `interact` dispatches. Omit `guildId` for a DM interaction. */
export interface InteractInput {
  /** 2 application command, 3 message component, 4 autocomplete. */
  type: 2 | 3 | 4;
  /** Command name (types 2 and 4). */
  name?: string;
  /** Defaults to the registered command's id, else a fresh snowflake. */
  commandId?: string;
  options?: InteractOption[];
  /** Component custom_id (type 3). */
  customId?: string;
  /** Component type (type 3): 2 button (default), 3 string select. */
  componentType?: number;
  values?: string[];
  /** The message carrying the component (type 3); default: the channel's last stored message or a stub. */
  message?: Record<string, unknown>;
  guildId?: string;
  channelId: string;
  /** Default: a user "tester". */
  user?: FakeUser;
  /** Member permissions bitfield (guild interactions); default: all text permissions. */
  permissions?: string;
  roles?: string[];
  /** User locale (default 'en-US'). */
  locale?: string;
  appPermissions?: string;
  resolved?: Record<string, unknown>;
}

/** The running fake. */
export interface FakeDiscord {
  /** `http://127.0.0.1:PORT`; the client uses `rest.api = url + '/api'`. */
  url: string;
  /** The bot token the fake accepts (`Authorization: Bot <token>`, IDENTIFY `token`). */
  token: string;
  applicationId: string;
  botUser: { id: string; username: string };
  /** Every REST request received, in order. */
  rest: RecordedRest[];
  restTo(method: string, pathPattern: RegExp): RecordedRest[];
  /** The gateway (frames received, identify/resume counts, reconnect helpers). */
  gateway: FakeGateway;
  /** Adds a guild: part of READY + GUILD_CREATE at identify, or sent at once if connected. */
  addGuild(g: FakeGuildInput): void;
  /** Later POST/PATCH to the channel → 404 10003; `notify` also dispatches CHANNEL_DELETE. */
  deleteChannel(channelId: string, opts?: { notify?: boolean }): void;
  /** Later POST/PATCH to the channel → 403 50013. */
  denyChannel(channelId: string): void;
  /** Dispatches INTERACTION_CREATE; returns the interaction's id and token. */
  interact(i: InteractInput): { id: string; token: string };
  /** Accepted answers to the interaction with that token (callback, webhook edits and followups). */
  interactionResponses(token: string): InteractionResponse[];
  /** Messages posted to a channel (POST /channels/:id/messages), edits applied. */
  channelMessages(channelId: string): StoredMessage[];
  /** Threads started in a channel (forum posts), oldest first, with their messages (a post's starter first). */
  threadsIn(channelId: string): Array<{ channel: Json; messages: StoredMessage[] }>;
  /** Changes a channel (flags, tags, name…) and dispatches CHANNEL_UPDATE. */
  updateChannel(channelId: string, patch: Partial<FakeChannelInput>): void;
  /** The next `count` (default 1) requests matching method + path pattern answer `err`. */
  failNext(method: string, pathPattern: RegExp, err: InjectedError, count?: number): void;
  /** Forgets failures queued by `failNext` that have not happened yet. */
  clearFailures(): void;
  /** Enforce Discord-like buckets (headers on every matching response, 429 when exceeded); `null` turns off. */
  setRateLimits(opts: { channelMessagesPer5s?: number; globalPerSecond?: number } | null): void;
  /** Commands from PUT/POST …/commands: global ones, then guild ones (with `guild_id`). */
  registeredCommands(): Json[];
  close(): Promise<void>;
}

/** Options of `startFakeDiscord`. */
export interface FakeDiscordOptions {
  applicationId?: string;
  token?: string;
  botUsername?: string;
  /** HELLO heartbeat interval (default 41250 ms). */
  heartbeatIntervalMs?: number;
  /** Time to answer an interaction (default 3000 ms). */
  interactionWindowMs?: number;
}

interface ChannelState {
  channel: FakeChannelInput;
  guildId: string | null;
  deleted: boolean;
  denied: boolean;
}

interface InteractionState {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId: string | null;
  createdAt: number;
  acked: boolean;
  original: StoredMessage | null;
  /** The component's message (type 3). */
  message: StoredMessage | null;
  followups: Map<string, StoredMessage>;
  responses: InteractionResponse[];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Forum channel flag: posts must carry a tag. */
const REQUIRE_TAG = 1 << 4;

const err = (status: number, code: number, message: string, errors?: ErrorTree): Reply => ({
  status,
  body: errors ? { message, code, errors } : { message, code },
});
const formError = (errors: ErrorTree): Reply => err(400, 50035, 'Invalid Form Body', errors);
const isObj = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const applicationId = opts.applicationId ?? snowflake();
  const token = opts.token ?? `fake.${randomToken(18)}`;
  const bot: FakeUser = { id: applicationId, username: opts.botUsername ?? 'newsrelay-test', bot: true };
  const windowMs = opts.interactionWindowMs ?? 3000;
  const rest: RecordedRest[] = [];
  const guilds = new Map<string, FakeGuildInput>();
  const channels = new Map<string, ChannelState>();
  const messages = new Map<string, StoredMessage[]>();
  const interactions = new Map<string, InteractionState>();
  const byToken = new Map<string, InteractionState>();
  const limiter = new RestLimiter();
  const commands: { global: Json[]; guild: Map<string, Json[]> } = { global: [], guild: new Map() };

  const gateway = new FakeGateway({
    token,
    bot,
    applicationId,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41250,
    guilds: () => [...guilds.values()].map((g) => guildPayload(g, bot)),
  });

  const makeMessage = (
    channelId: string,
    body: Record<string, Json>,
    files: RecordedRest['files'],
  ): StoredMessage => {
    const ch = channels.get(channelId);
    return {
      id: snowflake(),
      channel_id: channelId,
      ...(ch?.guildId ? { guild_id: ch.guildId } : {}),
      type: 0,
      author: userPayload(bot),
      content: body.content ?? '',
      embeds: (body.embeds ?? []).map((e: Record<string, unknown>) => ({ type: 'rich', ...e })),
      components: body.components ?? [],
      attachments: (files ?? []).map((f, i) => ({
        id: snowflake(),
        filename: body.attachments?.[i]?.filename ?? f.name,
        size: f.data.length,
        url: `${api.url}/attachments/${channelId}/${f.name}`,
        proxy_url: `${api.url}/attachments/${channelId}/${f.name}`,
      })),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: Boolean(body.tts),
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      pinned: false,
      flags: body.flags ?? 0,
      ...(body.allowed_mentions !== undefined ? { allowed_mentions: body.allowed_mentions } : {}),
      ...(body.message_reference ? { message_reference: body.message_reference } : {}),
    };
  };

  const editMessage = (
    m: StoredMessage,
    body: Record<string, Json>,
    files: RecordedRest['files'],
  ): StoredMessage => {
    const next = makeMessage(m.channel_id, { ...m, ...body }, files);
    let attachments = m.attachments ?? [];
    if (Array.isArray(body.attachments)) {
      const keep = new Set(body.attachments.map((x: { id?: unknown }) => String(x.id)));
      attachments = attachments.filter((x: { id: string }) => keep.has(x.id));
    }
    if (files?.length) attachments = [...attachments, ...(next.attachments ?? [])];
    const flags = typeof body.flags === 'number' ? body.flags : (m.flags ?? 0) & ~128;
    Object.assign(m, next, {
      id: m.id,
      timestamp: m.timestamp,
      edited_timestamp: new Date().toISOString(),
      attachments,
      flags,
    });
    return m;
  };

  const channelMessageRoute = (
    method: string,
    id: string,
    body: Json,
    files: RecordedRest['files'],
    mid?: string,
  ): Reply => {
    const ch = channels.get(id);
    if (!ch || ch.deleted) return err(404, 10003, 'Unknown Channel');
    if (ch.denied) return err(403, 50013, 'Missing Permissions');
    if (ch.channel.type === 4 || ch.channel.type === 15 || ch.channel.type === 16 || ch.channel.type === 2) {
      return err(400, 50008, 'Cannot send messages in a non-text channel');
    }
    const list = messages.get(id) ?? [];
    messages.set(id, list);
    if (method === 'GET' && mid === undefined) return { status: 200, body: [...list].reverse() };
    const existing = mid === undefined ? undefined : list.find((m) => m.id === mid);
    if (mid !== undefined && !existing) return err(404, 10008, 'Unknown Message');
    if (method === 'GET') return { status: 200, body: existing };
    if (method === 'DELETE') {
      list.splice(list.indexOf(existing as StoredMessage), 1);
      return { status: 204 };
    }
    const invalid = validateMessage(body);
    if (invalid) return formError(invalid);
    if (existing) return { status: 200, body: editMessage(existing, body, files) };
    if (isEmptyMessage(body, Boolean(files?.length))) return err(400, 50006, 'Cannot send an empty message');
    const msg = makeMessage(id, body, files);
    list.push(msg);
    return { status: 200, body: msg };
  };

  /**
   * POST /channels/:id/threads: in a forum or media channel a post (a public thread whose starter
   * message has the thread's id, returned as `message`); in a text channel a thread without one.
   */
  const startThreadRoute = (id: string, body: Json, files: RecordedRest['files']): Reply => {
    const ch = channels.get(id);
    if (!ch || ch.deleted) return err(404, 10003, 'Unknown Channel');
    if (ch.denied) return err(403, 50013, 'Missing Permissions');
    const parent = ch.channel;
    const forum = parent.type === 15 || parent.type === 16;
    if (!forum && parent.type !== 0 && parent.type !== 5)
      return err(400, 50024, 'Cannot execute action on this channel type');
    const tagIds = new Set((parent.available_tags ?? []).map((t) => t.id));
    const invalid = validateThreadStart(body, forum, tagIds);
    if (invalid) return formError(invalid);
    const tags: string[] = Array.isArray(body.applied_tags) ? body.applied_tags.map(String) : [];
    if (forum && isEmptyMessage(body.message, Boolean(files?.length)))
      return err(400, 50006, 'Cannot send an empty message');
    if (forum && ((parent.flags ?? 0) & REQUIRE_TAG) !== 0 && tags.length === 0)
      return err(400, 40067, 'A tag is required to create a forum post in this channel');
    const thread: FakeChannelInput = {
      id: snowflake(),
      name: body.name,
      // A forum post is a public thread; a text channel's thread is private unless asked otherwise.
      type: forum ? 11 : body.type === 10 || body.type === 11 ? body.type : 12,
      parent_id: id,
      owner_id: bot.id,
      ...(forum ? { applied_tags: tags } : {}),
    };
    channels.set(thread.id, { channel: thread, guildId: ch.guildId, deleted: false, denied: false });
    guilds.get(ch.guildId ?? '')?.channels.push(thread);
    const list: StoredMessage[] = [];
    messages.set(thread.id, list);
    const payload: Json = {
      ...channelPayload(thread, ch.guildId, bot.id),
      message_count: 0,
      total_message_sent: forum ? 1 : 0,
      member: { id: thread.id, user_id: bot.id, join_timestamp: new Date().toISOString(), flags: 1 },
    };
    if (forum) {
      const starter = { ...makeMessage(thread.id, body.message, files), id: thread.id, position: 0 };
      list.push(starter);
      payload.message = starter;
      payload.last_message_id = starter.id;
    }
    gateway.dispatch('THREAD_CREATE', { ...payload, newly_created: true });
    return { status: 201, body: payload };
  };

  const callbackRoute = (id: string, tok: string, body: Json, withResponse: boolean): Reply => {
    const it = interactions.get(id);
    if (!it || it.token !== tok || Date.now() - it.createdAt > windowMs)
      return err(404, 10062, 'Unknown interaction');
    if (it.acked) return err(400, 40060, 'Interaction has already been acknowledged.');
    const type = isObj(body) ? body.type : undefined;
    const data = isObj(body) && isObj(body.data) ? body.data : {};
    const allowed = it.type === 4 ? [8] : it.type === 3 ? [4, 5, 6, 7, 9] : [4, 5, 9];
    if (typeof type !== 'number' || !allowed.includes(type)) {
      return formError({
        type: {
          _errors: [
            { code: 'INTERACTION_CALLBACK_TYPE_INVALID', message: 'Interaction callback type is invalid' },
          ],
        },
      });
    }
    if (type === 4 || type === 7) {
      const invalid = validateMessage(data, ['data']);
      if (invalid) return formError(invalid);
      if (type === 4 && isEmptyMessage(data, false)) return err(400, 50006, 'Cannot send an empty message');
    }
    if (type === 8) {
      const invalid = validateAutocomplete(data);
      if (invalid) return formError(invalid);
    }
    it.acked = true;
    it.responses.push({ kind: 'callback', type, data: body.data, at: Date.now() });
    if (type === 4 || type === 5) {
      const flags = (data.flags ?? 0) | (type === 5 ? 128 : 0);
      it.original = makeMessage(it.channelId, { ...(type === 4 ? data : {}), flags }, undefined);
    } else if (type === 6 || type === 7) {
      it.original = it.message;
      if (type === 7 && it.message) editMessage(it.message, data, undefined);
    }
    if (!withResponse) return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id,
          type: it.type,
          response_message_id: it.original?.id,
          response_message_loading: type === 5,
          response_message_ephemeral: ((it.original?.flags ?? 0) & 64) !== 0,
        },
        resource: { type, ...(it.original && type !== 8 && type !== 9 ? { message: it.original } : {}) },
      },
    };
  };

  const webhookRoute = (
    method: string,
    app: string,
    tok: string,
    mid: string | undefined,
    body: Json,
    files: RecordedRest['files'],
    q: URLSearchParams,
  ): Reply => {
    const it = byToken.get(tok);
    if (app !== applicationId || !it) return err(404, 10015, 'Unknown Webhook');
    if (Date.now() - it.createdAt > 15 * 60_000) return err(401, 50027, 'Invalid Webhook Token');
    if (!it.acked) return err(404, 10015, 'Unknown Webhook');
    const target = mid === undefined ? undefined : mid === '@original' ? it.original : it.followups.get(mid);
    if (mid !== undefined && !target) return err(404, 10008, 'Unknown Message');
    if (method === 'GET') return { status: 200, body: target };
    if (method === 'DELETE') {
      if (mid === '@original') it.original = null;
      else if (mid !== undefined) it.followups.delete(mid);
      it.responses.push({ kind: 'delete', data: { message_id: mid }, at: Date.now() });
      return { status: 204 };
    }
    const invalid = validateMessage(body);
    if (invalid) return formError(invalid);
    if (target && method === 'PATCH') {
      it.responses.push({ kind: 'edit', data: body, at: Date.now() });
      return { status: 200, body: editMessage(target, isObj(body) ? body : {}, files) };
    }
    if (method !== 'POST' || mid !== undefined) return err(405, 0, '405: Method Not Allowed');
    if (isEmptyMessage(body, Boolean(files?.length))) return err(400, 50006, 'Cannot send an empty message');
    const msg = makeMessage(it.channelId, isObj(body) ? body : {}, files);
    it.followups.set(msg.id, msg);
    it.responses.push({ kind: 'followup', data: body, at: Date.now() });
    return q.get('wait') === 'false' ? { status: 204 } : { status: 200, body: msg };
  };

  const commandsRoute = (
    method: string,
    guildId: string | null,
    cmdId: string | undefined,
    body: unknown,
  ): Reply => {
    if (guildId !== null && !guilds.has(guildId)) return err(404, 10004, 'Unknown Guild');
    const list = guildId === null ? commands.global : (commands.guild.get(guildId) ?? []);
    const stamp = (c: Json, prev?: Json) => ({
      ...c,
      id: prev?.id ?? snowflake(),
      application_id: applicationId,
      type: c.type ?? 1,
      version: snowflake(),
      default_member_permissions: c.default_member_permissions ?? null,
      ...(guildId === null ? {} : { guild_id: guildId }),
    });
    const store = (next: Json[]) => {
      if (guildId === null) commands.global = next;
      else commands.guild.set(guildId, next);
    };
    if (method === 'GET') return { status: 200, body: cmdId ? list.find((c) => c.id === cmdId) : list };
    if (method === 'PUT' && cmdId === undefined) {
      const invalid = validateCommandList(body);
      if (invalid) return formError(invalid);
      const next = (body as Json[]).map((c) =>
        stamp(
          c,
          list.find((p) => p.name === c.name && p.type === (c.type ?? 1)),
        ),
      );
      store(next);
      return { status: 200, body: next };
    }
    if (method === 'POST' || method === 'PATCH') {
      const prev =
        method === 'PATCH'
          ? list.find((c) => c.id === cmdId)
          : list.find((c) => c.name === (body as Json)?.name);
      if (method === 'PATCH' && !prev) return err(404, 10063, 'Unknown application command');
      const merged = { ...(prev ?? {}), ...(isObj(body) ? body : {}) };
      const invalid = validateCommand(merged);
      if (invalid) return formError(invalid);
      const cmd = stamp(merged, prev);
      store([...list.filter((c) => c !== prev), cmd]);
      return { status: prev ? 200 : 201, body: cmd };
    }
    if (method === 'DELETE') {
      store(list.filter((c) => c.id !== cmdId));
      return { status: 204 };
    }
    return err(405, 0, '405: Method Not Allowed');
  };

  const route = (
    method: string,
    path: string,
    q: URLSearchParams,
    body: Json,
    files: RecordedRest['files'],
  ): Reply => {
    const p = path.split('/').slice(1);
    const [a, b, c, d, e, f] = p;
    if (method === 'GET' && path === '/gateway/bot') {
      return {
        status: 200,
        body: {
          url: gateway.url,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      };
    }
    if (method === 'GET' && path === '/gateway') return { status: 200, body: { url: gateway.url } };
    if (method === 'GET' && path === '/users/@me')
      return { status: 200, body: { ...userPayload(bot), verified: true, flags: 0 } };
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body?.recipient_id ?? '');
      const existing = [...channels.values()].find(
        (s) => s.channel.type === 1 && s.channel.name === recipient,
      );
      const state = existing ?? {
        channel: { id: snowflake(), name: recipient, type: 1 },
        guildId: null,
        deleted: false,
        denied: false,
      };
      channels.set(state.channel.id, state);
      const user = userPayload({ id: recipient, username: `user${recipient.slice(-4)}` });
      return {
        status: 200,
        body: { id: state.channel.id, type: 1, last_message_id: null, flags: 0, recipients: [user] },
      };
    }
    if (method === 'GET' && path === '/applications/@me') {
      return {
        status: 200,
        body: {
          id: applicationId,
          name: bot.username,
          icon: null,
          description: '',
          bot_public: true,
          bot_require_code_grant: false,
          flags: 0,
          owner: userPayload(bot),
          bot: userPayload(bot),
          team: null,
          verify_key: '0'.repeat(64),
          approximate_guild_count: guilds.size,
        },
      };
    }
    if (a === 'applications' && b === applicationId && c === 'commands')
      return commandsRoute(method, null, d, body);
    if (a === 'applications' && b === applicationId && c === 'guilds' && d && e === 'commands')
      return commandsRoute(method, d, f, body);
    if (a === 'interactions' && b && c && d === 'callback' && p.length === 4 && method === 'POST') {
      return callbackRoute(b, c, body, q.get('with_response') === 'true');
    }
    if (a === 'webhooks' && b && c && (p.length === 3 || (d === 'messages' && e && p.length === 5))) {
      return webhookRoute(method, b, c, e, body, files, q);
    }
    if (a === 'channels' && b && p.length === 2 && method === 'GET') {
      const ch = channels.get(b);
      if (!ch || ch.deleted) return err(404, 10003, 'Unknown Channel');
      return {
        status: 200,
        body: channelPayload(ch.channel, ch.guildId, guilds.get(ch.guildId ?? '')?.ownerId),
      };
    }
    if (a === 'channels' && b && c === 'messages' && (p.length === 3 || p.length === 4)) {
      return channelMessageRoute(method, b, body, files, d);
    }
    if (a === 'channels' && b && c === 'threads' && p.length === 3 && method === 'POST') {
      return startThreadRoute(b, body, files);
    }
    const g = a === 'guilds' && b ? guilds.get(b) : undefined;
    if (a === 'guilds' && b && method === 'GET') {
      if (!g) return err(404, 10004, 'Unknown Guild');
      const full = guildPayload(g, bot);
      if (p.length === 2) {
        const { channels: _c, threads: _t, members: _m, ...rest } = full;
        return { status: 200, body: { ...rest, approximate_member_count: full.member_count } };
      }
      if (c === 'channels' && p.length === 3) {
        const live = g.channels.filter((x) => (x.type < 10 || x.type > 12) && !channels.get(x.id)?.deleted);
        return { status: 200, body: live.map((x) => channelPayload(x, g.id)) };
      }
      if (c === 'members' && d && p.length === 4) {
        const uid = d === '@me' ? bot.id : d;
        const m = (full.members as Array<{ user: { id: string } }>).find((x) => x.user.id === uid);
        return m ? { status: 200, body: m } : err(404, 10007, 'Unknown Member');
      }
    }
    return err(404, 0, '404: Not Found');
  };

  const readBody = async (
    req: IncomingMessage,
  ): Promise<{ body: unknown; files?: RecordedRest['files'] }> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (raw.length === 0) return { body: undefined };
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const files: NonNullable<RecordedRest['files']> = [];
      let body: unknown;
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') {
          if (key === 'payload_json') body = JSON.parse(value);
        } else files.push({ name: value.name, data: Buffer.from(await value.arrayBuffer()) });
      }
      return { body, files };
    }
    const text = raw.toString('utf8');
    try {
      return { body: JSON.parse(text) };
    } catch {
      return { body: text };
    }
  };

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const decode = (seg: string) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    };
    const path = url.pathname
      .replace(/^\/api\/v10(?=\/)/, '')
      .split('/')
      .map(decode)
      .join('/');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const { body, files } = await readBody(req);
    const rec: RecordedRest = {
      method,
      path,
      query: url.search.slice(1),
      body,
      headers,
      at: Date.now(),
      ...(files?.length ? { files } : {}),
    };
    rest.push(rec);
    const reply = await (async (): Promise<Reply> => {
      if (!url.pathname.startsWith('/api/v10/')) return err(404, 0, '404: Not Found');
      const tokenRoute = /^\/(interactions\/[^/]+\/[^/]+\/callback|webhooks\/[^/]+\/[^/]+)/.test(path);
      if (!tokenRoute && headers.authorization !== `Bot ${token}`) return err(401, 0, '401: Unauthorized');
      const limited = limiter.check(method, path, tokenRoute);
      if (limited.reply) return limited.reply;
      const bucketHeaders = limited.headers;
      const r = route(method, path, url.searchParams, body, files);
      return { ...r, headers: { ...bucketHeaders, ...r.headers } };
    })();
    rec.status = reply.status;
    return reply;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      (r) => {
        const headers: Record<string, string> = { 'x-fake-discord': '1', ...r.headers };
        if (r.body !== undefined && r.status !== 204) headers['content-type'] = 'application/json';
        res.writeHead(r.status, headers);
        res.end(r.body !== undefined && r.status !== 204 ? JSON.stringify(r.body) : undefined);
      },
      (e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake error: ${String(e)}`, code: 0 }));
      },
    );
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  gateway.url = `ws://127.0.0.1:${port}`;

  const interactionPayload = (i: InteractInput, id: string, tok: string, message: StoredMessage | null) => {
    const user = i.user ?? { id: '100000000000000001', username: 'tester' };
    const guild = i.guildId ? guilds.get(i.guildId) : undefined;
    if (i.guildId && !guild) throw new Error(`interact: unknown guild ${i.guildId}`);
    const ch = channels.get(i.channelId);
    const channel = guild
      ? channelPayload(ch?.channel ?? { id: i.channelId, name: 'unknown', type: 0 }, guild.id)
      : { id: i.channelId, type: 1, last_message_id: null, flags: 0, recipients: [userPayload(user)] };
    const name = i.name ?? '';
    const cmd = [...(guild ? (commands.guild.get(guild.id) ?? []) : []), ...commands.global].find(
      (c) => c.name === name,
    );
    const data =
      i.type === 3
        ? {
            custom_id: i.customId ?? '',
            component_type: i.componentType ?? 2,
            ...(i.values ? { values: i.values } : {}),
          }
        : {
            id: i.commandId ?? cmd?.id ?? snowflake(),
            name,
            type: 1,
            ...(i.options ? { options: i.options } : {}),
            ...(i.resolved ? { resolved: i.resolved } : {}),
            ...(guild && cmd?.guild_id ? { guild_id: guild.id } : {}),
          };
    const allText = '2251799813685247';
    return {
      id,
      application_id: applicationId,
      type: i.type,
      data,
      token: tok,
      version: 1,
      locale: i.locale ?? 'en-US',
      app_permissions: i.appPermissions ?? allText,
      entitlements: [],
      attachment_size_limit: 10485760,
      channel_id: i.channelId,
      channel,
      authorizing_integration_owners: { '0': guild?.id ?? '0' },
      context: guild ? 0 : 1,
      ...(message ? { message } : {}),
      ...(guild
        ? {
            guild_id: guild.id,
            guild: { id: guild.id, locale: guild.preferredLocale ?? 'en-US', features: [] },
            guild_locale: guild.preferredLocale ?? 'en-US',
            member: memberPayload({ user, roles: i.roles ?? [] }, { permissions: i.permissions ?? allText }),
          }
        : { user: userPayload(user) }),
    };
  };

  const api: FakeDiscord = {
    url: `http://127.0.0.1:${port}`,
    token,
    applicationId,
    botUser: { id: bot.id, username: bot.username },
    rest,
    gateway,
    restTo: (method, re) => rest.filter((r) => r.method === method.toUpperCase() && re.test(r.path)),
    addGuild(input) {
      const g = { ...input, ownerId: input.ownerId ?? input.members?.[0]?.user.id ?? snowflake() };
      guilds.set(g.id, g);
      for (const c of g.channels)
        channels.set(c.id, { channel: c, guildId: g.id, deleted: false, denied: false });
      if (gateway.connected) gateway.dispatch('GUILD_CREATE', guildPayload(g, bot));
    },
    deleteChannel(id, o) {
      const ch = channels.get(id);
      if (ch) ch.deleted = true;
      else
        channels.set(id, {
          channel: { id, name: 'deleted', type: 0 },
          guildId: null,
          deleted: true,
          denied: false,
        });
      if (o?.notify && ch) gateway.dispatch('CHANNEL_DELETE', channelPayload(ch.channel, ch.guildId));
    },
    denyChannel(id) {
      const ch = channels.get(id);
      if (ch) ch.denied = true;
      else
        channels.set(id, {
          channel: { id, name: 'denied', type: 0 },
          guildId: null,
          deleted: false,
          denied: true,
        });
    },
    interact(i) {
      if (!gateway.connected) throw new Error('interact: no identified gateway connection');
      const id = snowflake();
      const tok = `aW50ZXJhY3Rpb246${id}:${randomToken(48)}`;
      let message: StoredMessage | null = null;
      if (i.type === 3) {
        const list = messages.get(i.channelId) ?? [];
        message =
          (i.message as StoredMessage | undefined) ??
          list.at(-1) ??
          makeMessage(i.channelId, { content: '' }, undefined);
      }
      const state: InteractionState = {
        id,
        token: tok,
        type: i.type,
        channelId: i.channelId,
        guildId: i.guildId ?? null,
        createdAt: Date.now(),
        acked: false,
        original: null,
        message,
        followups: new Map(),
        responses: [],
      };
      const payload = interactionPayload(i, id, tok, message);
      interactions.set(id, state);
      byToken.set(tok, state);
      gateway.dispatch('INTERACTION_CREATE', payload);
      return { id, token: tok };
    },
    interactionResponses: (tok) => byToken.get(tok)?.responses ?? [],
    channelMessages: (id) => messages.get(id) ?? [],
    threadsIn: (id) =>
      [...channels.values()]
        .filter((s) => s.channel.parent_id === id && [10, 11, 12].includes(s.channel.type))
        .map((s) => ({
          channel: channelPayload(s.channel, s.guildId),
          messages: messages.get(s.channel.id) ?? [],
        })),
    updateChannel(id, patch) {
      const ch = channels.get(id);
      if (!ch) throw new Error(`updateChannel: unknown channel ${id}`);
      Object.assign(ch.channel, patch);
      gateway.dispatch('CHANNEL_UPDATE', channelPayload(ch.channel, ch.guildId));
    },
    failNext: (method, re, e, count = 1) => limiter.failNext(method, re, e, count),
    clearFailures: () => limiter.clearFailures(),
    setRateLimits: (o) => limiter.setRateLimits(o),
    registeredCommands: () => [...commands.global, ...[...commands.guild.values()].flat()],
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
