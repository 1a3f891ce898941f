import { type Connection, Schema } from 'mongoose';

/**
 * Persistence schemas. `_id`s are strings chosen by the code (hashes or composite keys), so
 * that every hot path is a look-up by `_id` — the only filter FerretDB's SQLite backend
 * pushes down into the database (see docs/decisions/0001-search-journal.md).
 */

const healthSchema = new Schema(
  {
    failures: { type: Number, default: 0 },
    lastFetchedAt: { type: Date, default: null },
    lastSuccessAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    lastWarning: { type: String, default: null },
    /** Kind of the last failure and of the one that disabled the source (`http_404`, `tls`, …). */
    lastErrorKind: { type: String, default: null },
    disabledKind: { type: String, default: null },
    /** Failed re-probes since the source was disabled. */
    probes: { type: Number, default: 0 },
    /** Its chats were told it was disabled. */
    downNotified: { type: Boolean, default: false },
  },
  { _id: false },
);

const sourceSchema = new Schema(
  {
    _id: String,
    url: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, required: true },
    intervalSec: { type: Number, required: true },
    nextFetchAt: { type: Date, required: true },
    etag: { type: String, default: null },
    lastModified: { type: String, default: null },
    health: { type: healthSchema, default: () => ({}) },
    /** Keys (guid or canonical URL hashes) of the items seen in the latest fetches. */
    seen: { type: [String], default: [] },
    /** Chat keys to tell when the source is disabled. */
    owners: { type: [String], default: [] },
    /** Platform user (`telegram:123`) who first added it (MAX_SOURCES_PER_USER); null for the operator. */
    addedBy: { type: String, default: null },
    /** Listed in every chat's /sources; otherwise only in the chats that follow it. */
    public: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    /** Region the operator set (mainland, hk, tw, overseas); null: guessed from the URL. */
    region: { type: String, default: null },
  },
  { versionKey: false },
);

const articleSchema = new Schema(
  {
    _id: String,
    sourceId: { type: String, required: true },
    url: { type: String, required: true },
    guid: { type: String, default: null },
    title: { type: String, required: true },
    summary: { type: String, default: '' },
    author: { type: String, default: null },
    publishedAt: { type: Date, required: true },
    fetchedAt: { type: Date, required: true },
    fingerprint: { type: String, required: true },
    clusterId: { type: String, required: true },
    terms: { type: [String], default: [] },
    imageUrl: { type: String, default: null },
  },
  { versionKey: false },
);

/**
 * A chat (decision 0017): what queries and digest marks touch, top-level; the rest of its settings
 * (type, title, locale, script, filters, subscriptions, formats) as JSON text in `settings`, read
 * and written by ChatStore. Chats stored before keep those fields top-level until their next save.
 */
const chatSchema = new Schema(
  {
    _id: String,
    platform: { type: String, required: true },
    chatId: { type: String, required: true },
    parentKey: { type: String, default: null },
    timezone: { type: String, required: true },
    digestTimes: { type: [String], default: [] },
    paused: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
    lastDigestAt: { type: Date, default: null },
    lastDigestSlot: { type: Number, default: null },
    lastDigestSeq: { type: Number, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    settings: { type: String, required: true },
    /** The subscriptions' sources, for finding a source's subscribers. */
    sourceIds: { type: [String], default: [] },
  },
  { versionKey: false },
);

/** Per-source list of chats with an instant subscription to it. */
const instantSchema = new Schema(
  { _id: String, chats: { type: [String], default: [] } },
  { versionKey: false },
);

const deliverySchema = new Schema(
  {
    _id: String,
    chatKey: { type: String, required: true },
    digestKey: { type: String, required: true },
    status: { type: String, required: true },
    /** The OutgoingMessage as deflated JSON (JSON text or an embedded document in deliveries recorded before). */
    message: { type: Schema.Types.Mixed, required: true },
    partsSent: { type: Number, default: 0 },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    /** Part markers: where the delivery went, as the platform recorded it (a forum post id). */
    anchor: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);

/**
 * A delivery not finished yet (one small document each, deleted when it is done): what the sweep
 * and the start-up rebuild read, instead of every delivery of the retention period with its body.
 */
const openDeliverySchema = new Schema(
  { _id: String, chatKey: { type: String, required: true }, createdAt: { type: Date, required: true } },
  { versionKey: false },
);

/** One immutable batch of the search journal: what each newly stored article adds to the index. */
const journalSchema = new Schema(
  {
    _id: String,
    at: { type: Date, required: true },
    /** JSON array of entries: i article id, s source id, p published ms, f fetched ms, fp fingerprint, c cluster id, t index terms, h headline key (absent before decision 0009), q journal number. */
    data: { type: String, required: true },
  },
  { versionKey: false },
);

/** A compacted run of journal batches (`from`…`to`), written once. */
const segmentSchema = new Schema(
  { _id: String, from: Number, to: Number, last: Number, data: String, packed: Buffer },
  { versionKey: false },
);

/** Small counters (journal sequence); updated with $inc, which is cheap in a tiny collection. */
const counterSchema = new Schema({ _id: String, n: { type: Number, default: 0 } }, { versionKey: false });

/** Register every model on a connection; returns them by name. */
export function registerModels(conn: Connection) {
  return {
    Source: conn.model('Source', sourceSchema, 'sources'),
    Article: conn.model('Article', articleSchema, 'articles'),
    Journal: conn.model('Journal', journalSchema, 'index_journal'),
    Counter: conn.model('Counter', counterSchema, 'counters'),
    Segment: conn.model('Segment', segmentSchema, 'index_segments'),
    Chat: conn.model('Chat', chatSchema, 'chats'),
    Instant: conn.model('Instant', instantSchema, 'instant_subscribers'),
    Delivery: conn.model('Delivery', deliverySchema, 'deliveries'),
    OpenDelivery: conn.model('OpenDelivery', openDeliverySchema, 'deliveries_open'),
  };
}

/** The models of one connection. */
export type Models = ReturnType<typeof registerModels>;

/** The project's own indexes (autoIndex is off): single, compound and unique only, as FerretDB supports. */
export async function createIndexes(models: Models): Promise<void> {
  await Promise.all([
    models.Source.collection.createIndex({ url: 1 }, { unique: true, name: 'url_unique' }),
    models.Source.collection.createIndex({ nextFetchAt: 1 }, { name: 'next_fetch' }),
    models.Article.collection.createIndex({ sourceId: 1, fetchedAt: -1 }, { name: 'source_fetched' }),
    models.Article.collection.createIndex({ terms: 1, publishedAt: -1 }, { name: 'terms_published' }),
    models.Article.collection.createIndex({ publishedAt: -1 }, { name: 'published' }),
    models.Article.collection.createIndex({ fetchedAt: 1 }, { name: 'fetched' }),
    models.Chat.collection.createIndex({ platform: 1, chatId: 1 }, { unique: true, name: 'platform_chat' }),
    models.Chat.collection.createIndex({ parentKey: 1 }, { name: 'parent' }),
    models.Delivery.collection.createIndex({ status: 1, createdAt: 1 }, { name: 'status_created' }),
  ]);
}
