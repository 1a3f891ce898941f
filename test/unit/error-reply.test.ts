import { describe, expect, it } from 'vitest';
import { errorReply } from '../../src/commands/command-context.ts';
import { plainText } from '../../src/commands/reply.ts';
import { NewsrelayError, UserError } from '../../src/errors.ts';
import { t } from '../../src/i18n/i18n.ts';

class MongoServerSelectionError extends Error {
  override name = 'MongoServerSelectionError';
}

describe('errorReply', () => {
  it('tells the asker to try again when the database is out of reach, in their language', () => {
    const err = new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017');
    expect(plainText(errorReply({ locale: 'zh-Hans', syntax: 'text' }, err))).toBe(
      t('zh-Hans', 'error.unavailable'),
    );
    const buffering = new Error('Operation `chats.findOne()` buffering timed out after 10000ms');
    expect(plainText(errorReply({ locale: 'en', syntax: 'options' }, buffering))).toBe(
      t('en', 'error.unavailable'),
    );
  });

  it('answers a user error with its sentence, adding the usage line only where commands are typed', () => {
    const err = new UserError('time.invalid', { value: '25:99', max: 6 }, 'time.usage');
    expect(plainText(errorReply({ locale: 'en', syntax: 'text' }, err))).toBe(
      `${t('en', 'time.invalid', { value: '25:99' })}\n${t('en', 'time.usage', { max: 6 })}`,
    );
    expect(plainText(errorReply({ locale: 'en', syntax: 'options' }, err))).toBe(
      t('en', 'time.invalid', { value: '25:99' }),
    );
    expect(errorReply({ locale: 'en', syntax: 'options' }, err).private).toBe(true);
  });

  it('gives a generic apology for anything else, never the error text', () => {
    const reply = errorReply(
      { locale: 'en', syntax: 'text' },
      new Error('TypeError: secret stack at /srv/x.ts:1'),
    );
    expect(plainText(reply)).toBe(t('en', 'error.internal'));
    expect(
      plainText(errorReply({ locale: 'en', syntax: 'text' }, new NewsrelayError('fetch_timeout', 'x'))),
    ).toBe(t('en', 'error.fetch_timeout'));
  });
});
