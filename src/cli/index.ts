import { Command, CommanderError } from 'commander';
import { explicitKeys, loadConfig } from '../config/config.ts';
import { type Core, createCore } from '../core.ts';
import { describeError, NewsrelayError } from '../errors.ts';
import { createLogger, redactSecrets, registerSecrets } from '../log.ts';
import * as cmd from './commands.ts';
import { say } from './output.ts';

/** Run a one-shot command against the core, closing it afterwards. */
async function withCore(fn: (core: Core) => Promise<void>): Promise<void> {
  const config = loadConfig();
  registerSecrets([config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN]);
  const core = await createCore(
    config,
    createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL),
  );
  try {
    await fn(core);
  } finally {
    await core.close();
  }
}

const program = new Command('newsrelay')
  .description('News delivery for Telegram and Discord, built for Chinese-language sources')
  .showHelpAfterError()
  .exitOverride();

program
  .command('serve')
  .description('run the service')
  .option('--role <role>', 'all | bot | worker | scheduler', 'all')
  .action(async (o: { role: string }) => {
    if (!['all', 'bot', 'worker', 'scheduler'].includes(o.role)) {
      throw new NewsrelayError('bad_input', `--role must be all, bot, worker or scheduler, not "${o.role}"`);
    }
    const config = loadConfig();
    const { ensureLocalServices, planLocalServices } = await import('../local-services.ts');
    await ensureLocalServices(planLocalServices(config, explicitKeys()));
    const { runService } = await import('../main.ts');
    await runService(config, o.role as 'all' | 'bot' | 'worker' | 'scheduler');
    process.exit(0);
  });

const sources = program.command('sources').description('manage news sources');
sources
  .command('add <url>')
  .description('validate by fetching once, then store')
  .option('--name <name>', 'display name')
  .option('--every <interval>', 'poll interval, e.g. 10m')
  .option('--json', 'machine-readable output')
  .action((url: string, o: { name?: string; every?: string; json?: boolean }) =>
    withCore((c) => cmd.sourcesAdd(c, url, o)),
  );
sources
  .command('list')
  .option('--json', 'machine-readable output')
  .action((o: { json?: boolean }) => withCore((c) => cmd.sourcesList(c, o)));
sources
  .command('import <file>')
  .description('import an OPML file')
  .option('--json', 'machine-readable output')
  .action((file: string, o: { json?: boolean }) => withCore((c) => cmd.sourcesImport(c, file, o)));
sources
  .command('public <source> <state>')
  .description("list a source (id or URL) in every chat's /sources (on), or only where it is followed (off)")
  .action((ref: string, state: string) => withCore((c) => cmd.sourcesPublic(c, ref, state)));
sources
  .command('region <source> [region]')
  .description(
    'show or set where a source reports from: mainland, hk, tw, overseas, or auto (guess from the URL)',
  )
  .option('--json', 'machine-readable output')
  .action((ref: string, region: string | undefined, o: { json?: boolean }) =>
    withCore((c) => cmd.sourcesRegion(c, ref, region, o)),
  );
sources
  .command('export')
  .description('print the sources as OPML 2.0')
  .action(() => withCore((c) => cmd.sourcesExport(c)));

program
  .command('ingest')
  .description('fetch sources now')
  .option('--source <id|url>', 'only this source')
  .option('--json', 'machine-readable summary')
  .action((o: { source?: string; json?: boolean }) => withCore((c) => cmd.ingest(c, o)));

program
  .command('headlines')
  .description('latest headlines, or search them')
  .option('--query <q>', 'script-insensitive search')
  .option('--source <s>', 'source id, URL or name')
  .option('--since <duration>', 'e.g. 24h')
  .option('--limit <n>', 'how many (1-100)')
  .option('--script <script>', 'original | hans | hant')
  .option('--json', 'machine-readable output')
  .action((o: Parameters<typeof cmd.headlines>[1]) => withCore((c) => cmd.headlines(c, o)));

try {
  await program.parseAsync(process.argv);
  // One-shot commands are done; idle sockets (HTTP agent, driver pool) must not keep the process.
  process.exit(0);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  say(`newsrelay: ${redactSecrets(err instanceof NewsrelayError ? err.message : describeError(err))}`);
  process.exit(1);
}
