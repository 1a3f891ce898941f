import mongoose, { type Connection } from 'mongoose';
import { NewsrelayError } from '../errors.ts';
import { createIndexes, type Models, registerModels } from './models.ts';

/** An open database: its connection and models. */
export interface Database {
  readonly models: Models;
  readonly name: string;
  close(): Promise<void>;
  /** True when the server answers a ping. */
  ping(): Promise<boolean>;
  /** Drop the whole database (tests and benchmarks only). */
  drop(): Promise<void>;
}

/** Connect to MongoDB or FerretDB at `uri`, register models and create the project's indexes. */
export async function openDatabase(uri: string): Promise<Database> {
  let conn: Connection;
  try {
    conn = await mongoose
      .createConnection(uri, {
        autoIndex: false,
        autoCreate: false,
        serverSelectionTimeoutMS: 5000,
        maxPoolSize: 32,
      })
      .asPromise();
  } catch (err) {
    throw new NewsrelayError('store_failed', `Cannot connect to MongoDB at ${safeHost(uri)}`, { cause: err });
  }
  const models = registerModels(conn);
  await createIndexes(models);
  return {
    models,
    name: conn.name,
    close: () => conn.close(),
    ping: async () => {
      await conn.db?.admin().ping();
      return true;
    },
    drop: async () => {
      await conn.dropDatabase();
    },
  };
}

function safeHost(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return 'the configured URI';
  }
}
