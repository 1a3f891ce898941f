/**
 * Discord's payload limits and rate-limit buckets, as enforced by the fake Discord server
 * (`discord-api.ts`). Validators return Discord's nested "Invalid Form Body" error tree
 * (`{ field: { 0: { title: { _errors: [...] } } } }`) or `null` when the payload is acceptable.
 */

/** One entry of Discord's `_errors` arrays. */
export interface FormError {
  code: string;
  message: string;
}

/** Discord's nested error tree for a 50035 "Invalid Form Body" answer. */
export type ErrorTree = { [key: string]: ErrorTree | FormError[] };

/** Locales Discord accepts as keys of `name_localizations` / `description_localizations`. */
export const DISCORD_LOCALES: ReadonlySet<string> = new Set([
  'id',
  'en-US',
  'en-GB',
  'bg',
  'zh-CN',
  'zh-TW',
  'hr',
  'cs',
  'da',
  'nl',
  'fi',
  'fr',
  'de',
  'el',
  'hi',
  'hu',
  'it',
  'ja',
  'ko',
  'lt',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'ru',
  'es-ES',
  'es-419',
  'sv-SE',
  'th',
  'tr',
  'uk',
  'vi',
]);

/** Discord's regular expression for chat-input command and option names. */
export const COMMAND_NAME_RE = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Collects errors at dotted paths and builds Discord's nested error tree. */
class Errors {
  readonly tree: ErrorTree = {};
  empty = true;

  add(path: Array<string | number>, code: string, message: string): void {
    this.empty = false;
    let node: ErrorTree = this.tree;
    for (const part of path) {
      const key = String(part);
      const next = node[key];
      if (next === undefined || Array.isArray(next)) {
        const created: ErrorTree = {};
        node[key] = created;
        node = created;
      } else {
        node = next;
      }
    }
    const list = node._errors;
    const entry = { code, message };
    if (Array.isArray(list)) list.push(entry);
    else node._errors = [entry];
  }

  maxLen(path: Array<string | number>, value: unknown, max: number): void {
    if (typeof value === 'string' && [...value].length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    } else if (Array.isArray(value) && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  result(): ErrorTree | null {
    return this.empty ? null : this.tree;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const len = (v: unknown): number => (typeof v === 'string' ? [...v].length : 0);

function checkEmbeds(e: Errors, prefix: Array<string | number>, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    e.add([...prefix, 'embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  e.maxLen([...prefix, 'embeds'], embeds, 10);
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObj(embed)) return;
    const p = [...prefix, 'embeds', i];
    e.maxLen([...p, 'title'], embed.title, 256);
    e.maxLen([...p, 'description'], embed.description, 4096);
    total += len(embed.title) + len(embed.description);
    const footer = embed.footer;
    if (isObj(footer)) {
      e.maxLen([...p, 'footer', 'text'], footer.text, 2048);
      total += len(footer.text);
    }
    for (const media of ['image', 'thumbnail'] as const) {
      const m = embed[media];
      if (!isObj(m)) continue;
      // Discord takes http(s) and attachment:// URLs only, of at most 2,048 characters.
      if (typeof m.url !== 'string' || !/^(https?|attachment):\/\//i.test(m.url))
        e.add([...p, media, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
      else e.maxLen([...p, media, 'url'], m.url, 2048);
    }
    if (embed.timestamp !== undefined && Number.isNaN(Date.parse(String(embed.timestamp))))
      e.add([...p, 'timestamp'], 'TIMESTAMP_INVALID', 'Could not parse timestamp.');
    const author = embed.author;
    if (isObj(author)) {
      e.maxLen([...p, 'author', 'name'], author.name, 256);
      total += len(author.name);
    }
    const fields = embed.fields;
    if (Array.isArray(fields)) {
      e.maxLen([...p, 'fields'], fields, 25);
      fields.forEach((field, j) => {
        if (!isObj(field)) return;
        const fp = [...p, 'fields', j];
        if (len(field.name) === 0) e.add([...fp, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
        if (len(field.value) === 0) e.add([...fp, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
        e.maxLen([...fp, 'name'], field.name, 256);
        e.maxLen([...fp, 'value'], field.value, 1024);
        total += len(field.name) + len(field.value);
      });
    }
  });
  if (total > 6000) {
    e.add([...prefix, 'embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
}

function checkComponents(e: Errors, prefix: Array<string | number>, components: unknown): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    e.add([...prefix, 'components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  e.maxLen([...prefix, 'components'], components, 5);
  components.forEach((row, i) => {
    if (!isObj(row)) return;
    const rp = [...prefix, 'components', i];
    if (row.type !== 1) return; // components v2 layouts are not checked
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0) {
      e.add([...rp, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    }
    e.maxLen([...rp, 'components'], children, 5);
    children.forEach((c: unknown, j) => {
      if (!isObj(c)) return;
      const cp = [...rp, 'components', j];
      e.maxLen([...cp, 'custom_id'], c.custom_id, 100);
      e.maxLen([...cp, 'label'], c.label, 80);
      if (c.type === 2 && c.style !== 5 && c.style !== 6 && c.custom_id === undefined) {
        e.add([...cp, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
      if (Array.isArray(c.options)) e.maxLen([...cp, 'options'], c.options, 25);
    });
  });
}

/**
 * Validates a message payload (channel message, interaction reply/update, webhook edit/followup).
 * `prefix` is where the payload sits in the request body (`['data']` for interaction callbacks).
 */
export function validateMessage(body: unknown, prefix: Array<string | number> = []): ErrorTree | null {
  const e = new Errors();
  if (!isObj(body)) return null;
  e.maxLen([...prefix, 'content'], body.content, 2000);
  checkEmbeds(e, prefix, body.embeds);
  checkComponents(e, prefix, body.components);
  return e.result();
}

/** Auto-archive durations Discord accepts, in minutes. */
const ARCHIVE_MINUTES = [60, 1440, 4320, 10080];

/**
 * Validates POST /channels/:id/threads without a starting message id: a thread name of 1–100
 * characters; in a forum or media channel (`forum`) a `message` (checked like any message) and at
 * most 5 `applied_tags` among the forum's tags (Discord documents no error code for an unknown tag;
 * `TAG_INVALID` stands in).
 */
export function validateThreadStart(
  body: unknown,
  forum: boolean,
  tagIds: ReadonlySet<string>,
): ErrorTree | null {
  const e = new Errors();
  const b = isObj(body) ? body : {};
  if (typeof b.name !== 'string') e.add(['name'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else if (len(b.name.trim()) < 1 || len(b.name) > 100)
    e.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  const archive = b.auto_archive_duration;
  if (archive !== undefined && archive !== null && !ARCHIVE_MINUTES.includes(archive as number))
    e.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
  const slow = b.rate_limit_per_user;
  if (slow !== undefined && slow !== null && (typeof slow !== 'number' || slow < 0 || slow > 21600))
    e.add(['rate_limit_per_user'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 21600.');
  if (!forum) return e.result();
  if (!isObj(b.message)) e.add(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else {
    e.maxLen(['message', 'content'], b.message.content, 2000);
    checkEmbeds(e, ['message'], b.message.embeds);
    checkComponents(e, ['message'], b.message.components);
  }
  const tags = b.applied_tags;
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags)) e.add(['applied_tags'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    else {
      e.maxLen(['applied_tags'], tags, 5);
      tags.forEach((t, i) => {
        if (!tagIds.has(String(t)))
          e.add(['applied_tags', i], 'TAG_INVALID', 'The tag is not available in this channel.');
      });
    }
  }
  return e.result();
}

/** Whether a new message payload is empty (Discord answers 50006 "Cannot send an empty message"). */
export function isEmptyMessage(body: unknown, hasFiles: boolean): boolean {
  if (hasFiles || !isObj(body)) return !hasFiles;
  const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v.length > 0);
  return !(
    nonEmpty(body.content) ||
    nonEmpty(body.embeds) ||
    nonEmpty(body.components) ||
    nonEmpty(body.sticker_ids) ||
    isObj(body.poll)
  );
}

/** Validates an autocomplete result (interaction callback type 8): ≤ 25 choices, names 1–100. */
export function validateAutocomplete(data: unknown): ErrorTree | null {
  const e = new Errors();
  const choices = isObj(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) {
    e.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return e.result();
  }
  e.maxLen(['data', 'choices'], choices, 25);
  choices.forEach((c: unknown, i) => {
    if (!isObj(c)) return;
    if (len(c.name) < 1)
      e.add(['data', 'choices', i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    e.maxLen(['data', 'choices', i, 'name'], c.name, 100);
    if (typeof c.value === 'string') e.maxLen(['data', 'choices', i, 'value'], c.value, 100);
    checkLocalizations(e, ['data', 'choices', i, 'name_localizations'], c.name_localizations, 100);
  });
  return e.result();
}

function checkLocalizations(e: Errors, path: Array<string | number>, value: unknown, maxLen: number): void {
  if (value === undefined || value === null) return;
  if (!isObj(value)) {
    e.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  for (const [key, text] of Object.entries(value)) {
    if (!DISCORD_LOCALES.has(key)) {
      e.add([...path, key], 'ENUM_TYPE_COERCE', `Value "${key}" is not a valid enum value.`);
    } else if (typeof text !== 'string' || [...text].length > maxLen) {
      e.add([...path, key], 'BASE_TYPE_MAX_LENGTH', `Must be ${maxLen} or fewer in length.`);
    }
  }
}

function checkName(e: Errors, path: Array<string | number>, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') {
    e.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  } else if (
    chatInput ? !COMMAND_NAME_RE.test(name) || name !== name.toLowerCase() : len(name) > 32 || !name
  ) {
    e.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function checkNameLocalizations(e: Errors, path: Array<string | number>, value: unknown): void {
  checkLocalizations(e, path, value, 32);
  if (!isObj(value)) return;
  for (const [key, text] of Object.entries(value)) {
    if (DISCORD_LOCALES.has(key) && typeof text === 'string') checkName(e, [...path, key], text, true);
  }
}

function checkDescription(e: Errors, path: Array<string | number>, description: unknown): void {
  const n = len(description);
  if (typeof description !== 'string' || n < 1 || n > 100) {
    e.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
}

function checkOptions(e: Errors, path: Array<string | number>, options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    e.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  e.maxLen(path, options, 25);
  const seen = new Set<string>();
  options.forEach((o: unknown, i) => {
    if (!isObj(o)) return;
    const p = [...path, i];
    checkName(e, [...p, 'name'], o.name, true);
    if (typeof o.name === 'string') {
      if (seen.has(o.name))
        e.add(
          [...p, 'name'],
          'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
          'Option names must be unique',
        );
      seen.add(o.name);
    }
    checkDescription(e, [...p, 'description'], o.description);
    checkNameLocalizations(e, [...p, 'name_localizations'], o.name_localizations);
    checkLocalizations(e, [...p, 'description_localizations'], o.description_localizations, 100);
    if (Array.isArray(o.choices)) {
      e.maxLen([...p, 'choices'], o.choices, 25);
      o.choices.forEach((c: unknown, j) => {
        if (!isObj(c)) return;
        const n = len(c.name);
        if (n < 1 || n > 100)
          e.add([...p, 'choices', j, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
        checkLocalizations(e, [...p, 'choices', j, 'name_localizations'], c.name_localizations, 100);
      });
    }
    if ((o.type === 1 || o.type === 2) && depth < 2) checkOptions(e, [...p, 'options'], o.options, depth + 1);
  });
}

/** Validates one application command as Discord does on POST/PUT (`path` is its place in the body). */
export function validateCommand(cmd: unknown, path: Array<string | number> = []): ErrorTree | null {
  const e = new Errors();
  if (!isObj(cmd)) {
    e.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return e.result();
  }
  const type = cmd.type ?? 1;
  const chatInput = type === 1;
  checkName(e, [...path, 'name'], cmd.name, chatInput);
  if (chatInput) {
    checkDescription(e, [...path, 'description'], cmd.description);
    checkNameLocalizations(e, [...path, 'name_localizations'], cmd.name_localizations);
    checkLocalizations(e, [...path, 'description_localizations'], cmd.description_localizations, 100);
    checkOptions(e, [...path, 'options'], cmd.options, 0);
  } else if (len(cmd.description) > 0) {
    e.add([...path, 'description'], 'BASE_TYPE_MAX_LENGTH', 'Must be 0 or fewer in length.');
  }
  return e.result();
}

/** Validates a bulk-overwrite body (PUT …/commands): an array of ≤ 100 commands with unique names. */
export function validateCommandList(body: unknown): ErrorTree | null {
  if (!Array.isArray(body)) return { _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }] };
  const tree: ErrorTree = {};
  let bad = false;
  body.forEach((cmd, i) => {
    const r = validateCommand(cmd);
    if (r) {
      tree[String(i)] = r;
      bad = true;
    }
  });
  if (body.length > 100) {
    tree._errors = [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' }];
    bad = true;
  }
  return bad ? tree : null;
}

/** A fixed-window rate-limit bucket like Discord's (limit per window, reset after). */
export class Bucket {
  private remaining: number;
  private resetAt = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly hash: string,
  ) {
    this.remaining = limit;
  }

  /** Takes one request; returns the headers to send and, when exhausted, the retry delay in seconds. */
  take(now: number): { headers: Record<string, string>; retryAfter: number | null } {
    if (now >= this.resetAt) {
      this.resetAt = now + this.windowMs;
      this.remaining = this.limit;
    }
    const resetAfter = (this.resetAt - now) / 1000;
    if (this.remaining <= 0) {
      return { headers: this.headers(0, resetAfter), retryAfter: resetAfter };
    }
    this.remaining--;
    return { headers: this.headers(this.remaining, resetAfter), retryAfter: null };
  }

  private headers(remaining: number, resetAfter: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-reset': ((Date.now() + resetAfter * 1000) / 1000).toFixed(3),
      'x-ratelimit-bucket': this.hash,
    };
  }
}

/** A 429/5xx/4xx to inject with `FakeDiscord.failNext`. */
export type InjectedError =
  | { status: 429; retryAfter: number; global?: boolean; scope?: 'user' | 'shared' | 'global' }
  | { status: 500 | 502 }
  | { status: 400 | 403 | 404; code: number; message: string };

/** An early answer of the limiter: status, JSON body and headers. */
export interface LimitReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Discord's 429 answer (body and headers) for a limit of `scope`. */
export function rateLimitedReply(
  retryAfter: number,
  scope: string,
  extra: Record<string, string> = {},
): LimitReply {
  return {
    status: 429,
    headers: {
      ...extra,
      'retry-after': retryAfter.toFixed(3),
      'x-ratelimit-scope': scope,
      ...(scope === 'global' ? { 'x-ratelimit-global': 'true' } : {}),
    },
    body: {
      message: 'You are being rate limited.',
      retry_after: retryAfter,
      global: scope === 'global',
      code: 0,
    },
  };
}

/** Injected failures and Discord-like buckets in front of the fake's routes. */
export class RestLimiter {
  private injected: Array<{ method: string; re: RegExp; err: InjectedError; left: number }> = [];
  private channelLimit: number | null = null;
  private global: Bucket | null = null;
  private channelBuckets = new Map<string, Bucket>();

  /** Queues `err` for the next `count` requests matching method and path. */
  failNext(method: string, re: RegExp, err: InjectedError, count: number): void {
    this.injected.push({ method: method.toUpperCase(), re, err, left: count });
  }

  /** Forgets the failures still queued. */
  clearFailures(): void {
    this.injected = [];
  }

  /** Replaces the enforced limits (`null`: none). */
  setRateLimits(opts: { channelMessagesPer5s?: number; globalPerSecond?: number } | null): void {
    this.channelBuckets = new Map();
    this.channelLimit = opts?.channelMessagesPer5s ?? null;
    this.global = opts?.globalPerSecond ? new Bucket(opts.globalPerSecond, 1000, 'global') : null;
  }

  /**
   * Checks one request: returns an early reply (injected failure, 429) or the bucket headers to add
   * to the route's answer. `exempt` requests (interaction tokens) skip the global limit, as on Discord.
   */
  check(
    method: string,
    path: string,
    exempt: boolean,
  ): { reply: LimitReply | null; headers: Record<string, string> } {
    const inj = this.injected.find((x) => x.left > 0 && x.method === method && x.re.test(path));
    if (inj) {
      inj.left--;
      const e = inj.err;
      if (e.status === 429) {
        const scope = e.scope ?? (e.global ? 'global' : 'user');
        const extra = {
          'x-ratelimit-limit': '1',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': e.retryAfter.toFixed(3),
        };
        return { reply: rateLimitedReply(e.retryAfter, scope, extra), headers: {} };
      }
      const body =
        'code' in e
          ? { message: e.message, code: e.code }
          : { message: `${e.status}: Server Error`, code: 0 };
      return { reply: { status: e.status, body, headers: {} }, headers: {} };
    }
    if (this.global && !exempt) {
      const taken = this.global.take(Date.now());
      if (taken.retryAfter !== null)
        return { reply: rateLimitedReply(taken.retryAfter, 'global'), headers: {} };
    }
    const channelId = method === 'POST' ? /^\/channels\/(\d+)\/messages$/.exec(path)?.[1] : undefined;
    if (channelId === undefined || this.channelLimit === null) return { reply: null, headers: {} };
    let bucket = this.channelBuckets.get(channelId);
    if (!bucket) {
      bucket = new Bucket(this.channelLimit, 5000, 'fake-channel-messages');
      this.channelBuckets.set(channelId, bucket);
    }
    const taken = bucket.take(Date.now());
    if (taken.retryAfter !== null) {
      return { reply: rateLimitedReply(taken.retryAfter, 'user', taken.headers), headers: taken.headers };
    }
    return { reply: null, headers: taken.headers };
  }
}
