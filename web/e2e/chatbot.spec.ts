import { existsSync } from 'node:fs';
import { expect, messages, openChat, send, shot, test, waitConnected, withBots } from './helpers';
import { FakeLlm } from './llm-server';
import { AGENTS_BIN } from './server';

test.skip(!existsSync(AGENTS_BIN), `no agents binary at ${AGENTS_BIN}`);

const KEY_ENV = 'TINCAN_E2E_LLM_KEY';

test('ChatBot streams its reply into one message that grows, then completes', async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const llm = new FakeLlm();
  await llm.start();
  const run = {
    bots: ['chat'],
    args: ['--chatbot-model', 'e2e/model', '--llm-base-url', llm.baseUrl],
    env: { OPENROUTER_APIKEY: 'e2e-key' },
  };
  try {
    await withBots(browser, run, async (me) => {
      await openChat(me.page, 'ChatBot');
      await waitConnected(me.page);
      const replies = messages(me.page, 'ChatBot').locator('[data-direction="in"]');

      await send(me.page, 'Say hello');
      const first = await llm.next();
      expect(first.authorization).toBe('Bearer e2e-key');
      expect(first.body.model).toBe('e2e/model');
      expect(first.body.stream).toBe(true);
      expect(first.body.messages.at(-1)).toEqual({ role: 'user', content: 'Say hello' });
      // Announced at once as an empty message, then filled in token by token.
      await expect(replies).toHaveCount(1);
      const text = replies.locator('.message-text');
      await expect(text).toHaveText('');
      first.token('Hello');
      await expect(text).toHaveText('Hello');
      first.token(', **wor');
      await expect(text).toHaveText('Hello, **wor');
      first.token('ld**');
      await expect(text.locator('strong')).toHaveText('world');
      first.token('!');
      await expect(text).toHaveText('Hello, world!');
      first.done();
      await shot(me.page, 'chatbot');

      // Complete: the bot took the answer into its history and is free for the next question.
      await send(me.page, 'And again?');
      const second = await llm.next();
      expect(second.body.messages.slice(-3)).toEqual([
        { role: 'user', content: 'Say hello' },
        { role: 'assistant', content: 'Hello, **world**!' },
        { role: 'user', content: 'And again?' },
      ]);
      second.fail(500, '{"error":"upstream secret detail"}');
      await expect(replies).toHaveCount(2);
      await expect(replies.last()).toHaveText(
        /API error \(status 500\): the language model cannot answer right now\./,
      );
      await expect(replies.last()).not.toContainText('secret');
      await expect(replies).toHaveCount(2);
      await expect(replies.first().locator('.message-text')).toHaveText('Hello, world!');
    });
  } finally {
    await llm.stop();
  }
});

test('ChatBot without a model or key says so', async ({ browser }) => {
  test.setTimeout(60_000);
  const cases = [
    { args: [], reason: 'no model was given' },
    { args: ['--chatbot-model', 'm', '--openrouter-apikey-env', KEY_ENV], reason: 'no API key' },
  ];
  for (const { args, reason } of cases) {
    await withBots(browser, { bots: ['chat'], args, env: { [KEY_ENV]: '' } }, async (me) => {
      await openChat(me.page, 'ChatBot');
      await waitConnected(me.page);
      await send(me.page, 'hello?');
      await expect(
        messages(me.page, 'ChatBot').locator('[data-direction="in"]').last(),
      ).toContainText(`ChatBot is not configured on this server (${reason}`);
    });
  }
});
