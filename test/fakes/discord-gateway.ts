/**
 * The gateway half of the fake Discord (`discord-api.ts`): a `ws` server speaking Discord's gateway
 * protocol v10 (HELLO → IDENTIFY → READY → GUILD_CREATE…, heartbeats, RESUME, dispatches), plus the
 * builders for the Discord objects it sends (snowflakes, users, guilds, channels, messages).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createDeflate, type Deflate, deflateSync, constants as zc } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A valid Discord snowflake for "now" (discord.js derives `createdTimestamp` from it). */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** A random token-like string. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A user as the fake knows it. */
export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

/** A Discord API user object. */
export function userPayload(u: FakeUser): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.global_name ?? null,
    avatar: null,
    ...(u.bot ? { bot: true } : {}),
    public_flags: 0,
  };
}

/** A forum tag (`available_tags` of a forum or media channel). */
export interface FakeForumTag {
  id: string;
  name: string;
  moderated?: boolean;
}

/** A channel as given to `addGuild`. */
export interface FakeChannelInput {
  id: string;
  name: string;
  type: number;
  parent_id?: string;
  /** Channel flags (forums: `1 << 4` REQUIRE_TAG; threads: `1 << 1` PINNED). */
  flags?: number;
  /** Forum and media channels: the tags posts may carry. */
  available_tags?: FakeForumTag[];
  /** Forum posts: the tags applied. */
  applied_tags?: string[];
  /** Threads: who started it. */
  owner_id?: string;
}

/** A role as given to `addGuild` (`permissions` is a decimal bitfield string). */
export interface FakeRoleInput {
  id: string;
  name: string;
  permissions: string;
}

/** A member as given to `addGuild`. */
export interface FakeMemberInput {
  user: FakeUser;
  roles?: string[];
  nick?: string;
}

/** The guild description accepted by `FakeDiscord.addGuild`. */
export interface FakeGuildInput {
  id: string;
  name: string;
  channels: FakeChannelInput[];
  roles?: FakeRoleInput[];
  members?: FakeMemberInput[];
  ownerId?: string;
  preferredLocale?: string;
  /** Permissions of the @everyone role when `roles` does not contain it (default: view, send, embed…). */
  everyonePermissions?: string;
}

/** Default @everyone permissions: view channels, send messages (+ in threads), embed links, attach, read history, use app commands. */
export const DEFAULT_EVERYONE_PERMISSIONS = String(
  (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n) | (1n << 16n) | (1n << 31n) | (1n << 38n),
);

const THREAD_TYPES = new Set([10, 11, 12]);

/** A full channel object (guild channel or thread) as Discord sends it. */
export function channelPayload(
  c: FakeChannelInput,
  guildId: string | null,
  ownerId = '0',
): Record<string, unknown> {
  const base: Record<string, unknown> = { id: c.id, type: c.type, name: c.name, flags: c.flags ?? 0 };
  if (guildId !== null) base.guild_id = guildId;
  if (c.parent_id !== undefined) base.parent_id = c.parent_id;
  if (THREAD_TYPES.has(c.type)) {
    const now = new Date().toISOString();
    return {
      ...base,
      owner_id: c.owner_id ?? ownerId,
      ...(c.applied_tags !== undefined ? { applied_tags: c.applied_tags } : {}),
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
    };
  }
  const guildish = { ...base, position: 0, permission_overwrites: [] };
  if (c.type === 15 || c.type === 16) {
    return {
      ...guildish,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      available_tags: (c.available_tags ?? []).map((t) => ({
        id: t.id,
        name: t.name,
        moderated: t.moderated ?? false,
        emoji_id: null,
        emoji_name: null,
      })),
      default_reaction_emoji: null,
      default_thread_rate_limit_per_user: 0,
      default_sort_order: null,
      default_forum_layout: 0,
      last_message_id: null,
    };
  }
  if (c.type === 0 || c.type === 5) {
    return { ...guildish, topic: null, nsfw: false, rate_limit_per_user: 0, last_message_id: null };
  }
  return guildish;
}

/** A guild member object (`permissions` only inside interactions). */
export function memberPayload(
  m: FakeMemberInput,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    user: userPayload(m.user),
    nick: m.nick ?? null,
    avatar: null,
    roles: m.roles ?? [],
    joined_at: new Date(Date.now() - 86_400_000).toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...extra,
  };
}

/** The full GUILD_CREATE payload for a guild (channels, threads, roles, members incl. the bot). */
export function guildPayload(g: FakeGuildInput, bot: FakeUser): Record<string, unknown> {
  const roles = [...(g.roles ?? [])];
  if (!roles.some((r) => r.id === g.id)) {
    roles.unshift({
      id: g.id,
      name: '@everyone',
      permissions: g.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
    });
  }
  const members = [...(g.members ?? [])];
  if (!members.some((m) => m.user.id === bot.id)) members.push({ user: { ...bot, bot: true } });
  const ownerId = g.ownerId ?? members.find((m) => m.user.id !== bot.id)?.user.id ?? snowflake();
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: ownerId,
    application_id: null,
    afk_channel_id: null,
    afk_timeout: 300,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: g.preferredLocale ?? 'en-US',
    features: [],
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    vanity_url_code: null,
    widget_enabled: false,
    unavailable: false,
    large: false,
    lazy: true,
    member_count: members.length,
    joined_at: new Date(Date.now() - 3_600_000).toISOString(),
    roles: roles.map((r, i) => ({
      id: r.id,
      name: r.name,
      permissions: r.permissions,
      position: r.id === g.id ? 0 : i,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      managed: false,
      mentionable: false,
      icon: null,
      unicode_emoji: null,
      flags: 0,
    })),
    members: members.map((m) => memberPayload(m)),
    channels: g.channels.filter((c) => !THREAD_TYPES.has(c.type)).map((c) => channelPayload(c, g.id)),
    threads: g.channels.filter((c) => THREAD_TYPES.has(c.type)).map((c) => channelPayload(c, g.id, ownerId)),
    emojis: [],
    stickers: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    application_command_counts: {},
    incidents_data: null,
    version: Date.now(),
    hub_type: null,
    home_header: null,
    latest_onboarding_question_id: null,
    inventory_settings: null,
  };
}

/** Gateway options. */
export interface GatewayOptions {
  token: string;
  bot: FakeUser;
  applicationId: string;
  heartbeatIntervalMs: number;
  /** Guild payloads to send after READY (called at identify time). */
  guilds: () => Array<Record<string, unknown>>;
}

interface Session {
  id: string;
  seq: number;
  /** Dispatches sent in this session (for RESUME replay). */
  log: Array<{ s: number; frame: Record<string, unknown> }>;
  socket: WebSocket | null;
}

interface Conn {
  socket: WebSocket;
  session: Session | null;
  /** Transport compression (`compress=zlib-stream`): one shared deflate context. */
  deflate: Deflate | null;
  /** Payload compression (IDENTIFY `compress: true`). */
  identifyCompress: boolean;
  chain: Promise<void>;
}

/** Record of one gateway frame received from the client. */
export interface GatewayFrameIn {
  op: number;
  d: unknown;
  at: number;
}

/** The fake gateway: attach to the HTTP server's `upgrade` events via `handleUpgrade`. */
export class FakeGateway {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly received: GatewayFrameIn[] = [];
  /** Number of IDENTIFY and RESUME payloads accepted. */
  identifies = 0;
  resumes = 0;
  private readonly conns = new Set<Conn>();
  private readonly sessions = new Map<string, Session>();
  url = '';

  constructor(private readonly opts: GatewayOptions) {}

  /** Handles an HTTP upgrade request to the gateway. */
  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = {
        socket: ws,
        session: null,
        deflate: null,
        identifyCompress: false,
        chain: Promise.resolve(),
      };
      this.conns.add(conn);
      ws.on('close', () => {
        this.conns.delete(conn);
        if (conn.session && conn.session.socket === ws) conn.session.socket = null;
        conn.deflate?.close();
      });
      if (q.get('v') !== '10') {
        ws.close(4012, 'Invalid API version');
        return;
      }
      if ((q.get('encoding') ?? 'json') !== 'json') {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      const compress = q.get('compress');
      if (compress === 'zlib-stream') conn.deflate = createDeflate({ chunkSize: 65535 });
      else if (compress) {
        ws.close(4000, 'Unsupported compression');
        return;
      }
      ws.on('message', (data) => this.onFrame(conn, data.toString()));
      this.send(conn, {
        op: 10,
        d: { heartbeat_interval: this.opts.heartbeatIntervalMs, _trace: ['fake-gateway'] },
      });
    });
  }

  /** Whether at least one identified connection is open. */
  get connected(): boolean {
    for (const c of this.conns) if (c.session) return true;
    return false;
  }

  /** Sends a dispatch (op 0) to every identified connection and logs it for RESUME. */
  dispatch(t: string, d: unknown): void {
    for (const conn of this.conns) if (conn.session) this.sendDispatch(conn, t, d);
  }

  /** Asks the client to reconnect (op 7); discord.js then RESUMEs. */
  requestReconnect(): void {
    for (const conn of this.conns) this.send(conn, { op: 7, d: null });
  }

  /** Closes all connections with a close code (e.g. 4000 to make discord.js resume). */
  dropConnections(code = 4000): void {
    for (const conn of this.conns) conn.socket.close(code, 'fake drop');
  }

  /** Terminates all sockets and the server. */
  async close(): Promise<void> {
    for (const conn of this.conns) conn.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private sendDispatch(conn: Conn, t: string, d: unknown): void {
    const session = conn.session;
    if (!session) return;
    session.seq += 1;
    const frame = { op: 0, t, s: session.seq, d };
    session.log.push({ s: session.seq, frame });
    if (session.log.length > 1000) session.log.shift();
    this.send(conn, frame);
  }

  private send(conn: Conn, frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    const ws = conn.socket;
    if (conn.deflate) {
      const deflate = conn.deflate;
      conn.chain = conn.chain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (c: Buffer) => chunks.push(c);
            deflate.on('data', onData);
            deflate.write(text);
            deflate.flush(zc.Z_SYNC_FLUSH, () => {
              deflate.off('data', onData);
              if (ws.readyState === ws.OPEN) ws.send(Buffer.concat(chunks));
              resolve();
            });
          }),
      );
    } else if (conn.identifyCompress) {
      if (ws.readyState === ws.OPEN) ws.send(deflateSync(text));
    } else if (ws.readyState === ws.OPEN) {
      ws.send(text);
    }
  }

  private onFrame(conn: Conn, text: string): void {
    let frame: { op?: unknown; d?: unknown };
    try {
      frame = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      conn.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    const op = typeof frame.op === 'number' ? frame.op : -1;
    this.received.push({ op, d: frame.d, at: Date.now() });
    const d = (frame.d ?? {}) as Record<string, unknown>;
    switch (op) {
      case 1:
        this.send(conn, { op: 11 });
        return;
      case 2:
        this.identify(conn, d);
        return;
      case 6:
        this.resume(conn, d);
        return;
      case 3:
      case 4:
      case 8:
        if (!conn.session) conn.socket.close(4003, 'Not authenticated.');
        return;
      default:
        conn.socket.close(4001, 'Unknown opcode.');
    }
  }

  private identify(conn: Conn, d: Record<string, unknown>): void {
    if (conn.session) {
      conn.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (d.token !== this.opts.token) {
      conn.socket.close(4004, 'Authentication failed.');
      return;
    }
    if (typeof d.intents !== 'number') {
      conn.socket.close(4013, 'Invalid intent(s).');
      return;
    }
    this.identifies++;
    conn.identifyCompress = d.compress === true && !conn.deflate;
    const session: Session = { id: randomToken(16), seq: 0, log: [], socket: conn.socket };
    this.sessions.set(session.id, session);
    conn.session = session;
    const guilds = this.opts.guilds();
    this.sendDispatch(conn, 'READY', {
      v: 10,
      user_settings: {},
      user: {
        ...userPayload({ ...this.opts.bot, bot: true }),
        verified: true,
        mfa_enabled: false,
        flags: 0,
        email: null,
      },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.url,
      shard: Array.isArray(d.shard) ? d.shard : [0, 1],
      application: { id: this.opts.applicationId, flags: 0 },
      auth: {},
      geo_ordered_rtc_regions: [],
      _trace: ['fake-gateway'],
    });
    for (const g of guilds) this.sendDispatch(conn, 'GUILD_CREATE', g);
  }

  private resume(conn: Conn, d: Record<string, unknown>): void {
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || d.token !== this.opts.token) {
      this.send(conn, { op: 9, d: false });
      return;
    }
    this.resumes++;
    session.socket = conn.socket;
    conn.session = session;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    for (const entry of session.log) if (entry.s > seq) this.send(conn, entry.frame);
    session.seq += 1;
    const frame = { op: 0, t: 'RESUMED', s: session.seq, d: { _trace: ['fake-gateway'] } };
    session.log.push({ s: session.seq, frame });
    this.send(conn, frame);
  }
}
