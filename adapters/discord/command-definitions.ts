import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { MAX_QUERY_CHARS } from '../../src/search/headlines-service.ts';

/** Text in the three Discord locales newsrelay speaks: en-US (the default), zh-CN and zh-TW. */
interface L10n {
  en: string;
  cn: string;
  tw: string;
}

const loc = (l: L10n) => ({ 'zh-CN': l.cn, 'zh-TW': l.tw, 'en-US': l.en });

function named(name: L10n, description: L10n) {
  return {
    name: name.en,
    name_localizations: loc(name),
    description: description.en,
    description_localizations: loc(description),
  };
}

/** Channel kinds a feed may post to: text, announcement, threads and forums. */
export const FEED_CHANNEL_TYPES = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
  ChannelType.GuildForum,
] as const;

const sourceOption = (required: boolean) => ({
  type: ApplicationCommandOptionType.String as const,
  ...named(
    { en: 'source', cn: '来源', tw: '來源' },
    { en: 'A source (name or id)', cn: '新闻源（名称或编号）', tw: '新聞來源（名稱或編號）' },
  ),
  required,
  autocomplete: true,
  max_length: 300,
});

const sinceOption = {
  type: ApplicationCommandOptionType.String as const,
  ...named(
    { en: 'since', cn: '时间范围', tw: '時間範圍' },
    {
      en: 'Only this recent, e.g. 6h, 24h, 7d',
      cn: '只看最近，例如 6h、24h、7d',
      tw: '只看最近，例如 6h、24h、7d',
    },
  ),
  required: false,
  max_length: 20,
};

const channelOption = (required: boolean) => ({
  type: ApplicationCommandOptionType.Channel as const,
  ...named(
    { en: 'channel', cn: '频道', tw: '頻道' },
    { en: 'Text channel, thread or forum', cn: '文字频道、讨论串或论坛', tw: '文字頻道、討論串或論壇' },
  ),
  required,
  channel_types: [...FEED_CHANNEL_TYPES],
});

/** An item format to choose (`default`, for a source, gives it back the server's format). */
const formatOption = (withDefault: boolean) => ({
  type: ApplicationCommandOptionType.String as const,
  ...named(
    { en: 'format', cn: '格式', tw: '格式' },
    withDefault
      ? { en: 'How this source’s posts look', cn: '这个新闻源推送的样式', tw: '這個新聞來源推送的樣式' }
      : { en: 'How posts look', cn: '推送的样式', tw: '推送的樣式' },
  ),
  required: false,
  choices: [
    { name: 'titles / 仅标题', value: 'titles' },
    { name: 'summary / 标题和摘要', value: 'summary' },
    { name: 'full / 标题、摘要和图片', value: 'full' },
    ...(withDefault ? [{ name: 'default / 跟随服务器设置', value: 'default' }] : []),
  ],
});

/** Names of the slash commands, as routed. */
export type CommandName = 'headlines' | 'search' | 'sources' | 'article' | 'story' | 'feed' | 'settings';

/**
 * The slash commands, with names and descriptions localised for zh-CN, zh-TW and en-US;
 * registered globally at start-up with one bulk overwrite (PUT /applications/:id/commands).
 */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const base = { type: ApplicationCommandType.ChatInput as const };
  return [
    {
      ...base,
      ...named(
        { en: 'headlines', cn: '头条', tw: '頭條' },
        { en: 'Latest headlines', cn: '最新新闻标题', tw: '最新新聞標題' },
      ),
      options: [
        sourceOption(false),
        sinceOption,
        {
          type: ApplicationCommandOptionType.Integer,
          ...named(
            { en: 'limit', cn: '数量', tw: '數量' },
            { en: 'Headlines per page (1–10)', cn: '每页条数（1–10）', tw: '每頁則數（1–10）' },
          ),
          required: false,
          min_value: 1,
          max_value: 10,
        },
      ],
    },
    {
      ...base,
      ...named(
        { en: 'search', cn: '搜索', tw: '搜尋' },
        {
          en: 'Search the archive (简体 and 繁體 alike)',
          cn: '搜索新闻存档（简繁通搜）',
          tw: '搜尋新聞存檔（簡繁通搜）',
        },
      ),
      options: [
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'query', cn: '关键词', tw: '關鍵詞' },
            { en: 'Words to look for', cn: '要找的词', tw: '要找的詞' },
          ),
          required: true,
          max_length: MAX_QUERY_CHARS,
        },
        sourceOption(false),
        sinceOption,
      ],
    },
    {
      ...base,
      ...named(
        { en: 'sources', cn: '新闻源', tw: '新聞來源' },
        { en: 'Sources and their health', cn: '新闻源及其状态', tw: '新聞來源及其狀態' },
      ),
    },
    {
      ...base,
      ...named(
        { en: 'article', cn: '文章', tw: '文章' },
        {
          en: 'One article with its summary and other sources',
          cn: '查看一篇文章的摘要和其他报道来源',
          tw: '查看一篇文章的摘要和其他報導來源',
        },
      ),
      options: [
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'id', cn: '编号', tw: '編號' },
            { en: 'Article id', cn: '文章编号', tw: '文章編號' },
          ),
          required: true,
          max_length: 64,
        },
      ],
    },
    {
      ...base,
      ...named(
        { en: 'story', cn: '各地报道', tw: '各地報導' },
        {
          en: 'One story as each outlet headlined it: mainland, Hong Kong, Taiwan, overseas',
          cn: '同一新闻在大陆、香港、台湾和海外媒体的标题',
          tw: '同一新聞在大陸、香港、台灣和海外媒體的標題',
        },
      ),
      options: [
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'article', cn: '文章', tw: '文章' },
            {
              en: 'Article id, or its number in the last list',
              cn: '文章编号，或上次列表中的序号',
              tw: '文章編號，或上次列表中的序號',
            },
          ),
          required: true,
          max_length: 64,
        },
      ],
    },
    {
      ...base,
      ...named(
        { en: 'feed', cn: '频道订阅', tw: '頻道訂閱' },
        { en: 'Post sources to channels', cn: '把新闻源推送到频道', tw: '把新聞來源推送到頻道' },
      ),
      contexts: [InteractionContextType.Guild],
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'add', cn: '添加', tw: '新增' },
            { en: 'Attach a source to a channel', cn: '给频道添加新闻源', tw: '為頻道新增新聞來源' },
          ),
          options: [
            channelOption(true),
            sourceOption(true),
            {
              type: ApplicationCommandOptionType.String,
              ...named(
                { en: 'mode', cn: '方式', tw: '方式' },
                { en: 'Instantly or as a digest', cn: '即时推送或摘要', tw: '即時推送或摘要' },
              ),
              required: false,
              choices: [
                {
                  name: 'instant',
                  name_localizations: { 'zh-CN': '即时', 'zh-TW': '即時' },
                  value: 'instant',
                },
                { name: 'digest', name_localizations: { 'zh-CN': '摘要', 'zh-TW': '摘要' }, value: 'digest' },
              ],
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'remove', cn: '移除', tw: '移除' },
            { en: 'Detach a source from a channel', cn: '从频道移除新闻源', tw: '從頻道移除新聞來源' },
          ),
          options: [channelOption(true), sourceOption(true)],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'list', cn: '列表', tw: '列表' },
            { en: 'Channel feeds of this server', cn: '本服务器的频道订阅', tw: '本伺服器的頻道訂閱' },
          ),
          options: [channelOption(false)],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'filter', cn: '过滤', tw: '過濾' },
            {
              en: 'Filter words of a channel, or of one of its sources',
              cn: '频道或其中一个新闻源的过滤词',
              tw: '頻道或其中一個新聞來源的過濾詞',
            },
          ),
          options: [
            channelOption(true),
            sourceOption(false),
            ...[
              {
                name: { en: 'include', cn: '包含', tw: '包含' },
                description: {
                  en: 'Words a post must contain one of, e.g. 台湾 香港',
                  cn: '推送须包含其一的词，例如 台湾 香港',
                  tw: '推送須包含其一的詞，例如 臺灣 香港',
                },
              },
              {
                name: { en: 'exclude', cn: '排除', tw: '排除' },
                description: {
                  en: 'Words a post must not contain, e.g. 体育',
                  cn: '推送不能包含的词，例如 体育',
                  tw: '推送不能包含的詞，例如 體育',
                },
              },
            ].map((o) => ({
              type: ApplicationCommandOptionType.String as const,
              ...named(o.name, o.description),
              required: false,
              max_length: 300,
            })),
            {
              type: ApplicationCommandOptionType.Boolean,
              ...named(
                { en: 'clear', cn: '清除', tw: '清除' },
                { en: 'Remove every filter word', cn: '清除全部过滤词', tw: '清除全部過濾詞' },
              ),
              required: false,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'rename', cn: '重命名', tw: '重新命名' },
            {
              en: 'Give a channel’s source its own name',
              cn: '给频道的新闻源另取名称',
              tw: '為頻道的新聞來源另取名稱',
            },
          ),
          options: [
            channelOption(true),
            sourceOption(true),
            {
              type: ApplicationCommandOptionType.String,
              ...named(
                { en: 'name', cn: '名称', tw: '名稱' },
                { en: 'The new name', cn: '新名称', tw: '新名稱' },
              ),
              required: true,
              max_length: 100,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'mute', cn: '静音', tw: '靜音' },
            {
              en: 'Stop a source posting to a channel without removing it',
              cn: '暂停新闻源在频道的推送但保留订阅',
              tw: '暫停新聞來源在頻道的推送但保留訂閱',
            },
          ),
          options: [channelOption(true), sourceOption(true)],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'unmute', cn: '取消静音', tw: '取消靜音' },
            {
              en: 'Let a muted source post to a channel again',
              cn: '恢复已静音新闻源的推送',
              tw: '恢復已靜音新聞來源的推送',
            },
          ),
          options: [channelOption(true), sourceOption(true)],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          ...named(
            { en: 'format', cn: '格式', tw: '格式' },
            {
              en: 'How a channel’s source posts look: titles, summary or full',
              cn: '频道的新闻源推送样式：标题、摘要或完整',
              tw: '頻道的新聞來源推送樣式：標題、摘要或完整',
            },
          ),
          options: [channelOption(true), sourceOption(true), formatOption(true)],
        },
      ],
    },
    {
      ...base,
      ...named(
        { en: 'settings', cn: '设置', tw: '設定' },
        {
          en: 'Language, script and time zone of this server',
          cn: '本服务器的语言、字体和时区',
          tw: '本伺服器的語言、字體和時區',
        },
      ),
      contexts: [InteractionContextType.Guild],
      options: [
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'language', cn: '语言', tw: '語言' },
            { en: 'Language of posts', cn: '推送使用的语言', tw: '推送使用的語言' },
          ),
          required: false,
          choices: [
            { name: '简体中文', value: 'zh-Hans' },
            { name: '繁體中文', value: 'zh-Hant' },
            { name: 'English', value: 'en' },
          ],
        },
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'script', cn: '字体', tw: '字體' },
            { en: 'Script of headlines', cn: '标题的字体', tw: '標題的字體' },
          ),
          required: false,
          choices: [
            { name: 'original / 原文', value: 'original' },
            { name: '简体', value: 'hans' },
            { name: '繁體', value: 'hant' },
            { name: '繁體（香港）', value: 'hant-hk' },
            { name: '繁體（台灣）', value: 'hant-tw' },
          ],
        },
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'timezone', cn: '时区', tw: '時區' },
            {
              en: 'IANA time zone, e.g. Asia/Shanghai',
              cn: 'IANA 时区，例如 Asia/Shanghai',
              tw: 'IANA 時區，例如 Asia/Hong_Kong',
            },
          ),
          required: false,
          autocomplete: true,
          max_length: 64,
        },
        {
          type: ApplicationCommandOptionType.String,
          ...named(
            { en: 'digest_times', cn: '摘要时间', tw: '摘要時間' },
            {
              en: 'Digest times, e.g. 08:00,18:30',
              cn: '摘要时间，例如 08:00,18:30',
              tw: '摘要時間，例如 08:00,18:30',
            },
          ),
          required: false,
          max_length: 100,
        },
        formatOption(false),
        {
          type: ApplicationCommandOptionType.Boolean,
          ...named(
            { en: 'previews', cn: '链接预览', tw: '連結預覽' },
            {
              en: 'Link previews: instant posts shown as titles carry the site’s own preview',
              cn: '链接预览：仅标题的即时推送附网站自己的预览',
              tw: '連結預覽：僅標題的即時推送附網站自己的預覽',
            },
          ),
          required: false,
        },
      ],
    },
  ];
}
