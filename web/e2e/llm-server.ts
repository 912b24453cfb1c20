import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One streaming completion in progress; the test decides when each token goes out. */
export class Completion {
  constructor(
    readonly body: {
      model: string;
      stream: boolean;
      messages: { role: string; content: string }[];
    },
    readonly authorization: string | undefined,
    private readonly res: ServerResponse,
  ) {}

  private event(data: string) {
    if (!this.res.headersSent) {
      this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      this.res.write(': OPENROUTER PROCESSING\n\n'); // a keep-alive comment, as OpenRouter sends
    }
    this.res.write(`data: ${data}\n\n`);
  }

  /** Answers with an HTTP error whose body must never reach users. */
  fail(status: number, body: string) {
    this.res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }

  /** Sends one token as an OpenAI chat.completion.chunk event. */
  token(text: string) {
    this.event(
      JSON.stringify({
        id: 'chatcmpl-e2e',
        object: 'chat.completion.chunk',
        model: this.body.model,
        choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
      }),
    );
  }

  /** Ends the stream as OpenAI does: a finish_reason chunk, then `[DONE]`. */
  done() {
    this.event(
      JSON.stringify({
        id: 'chatcmpl-e2e',
        object: 'chat.completion.chunk',
        model: this.body.model,
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      }),
    );
    this.event('[DONE]');
    this.res.end();
  }
}

/**
 * A loopback OpenAI-compatible endpoint (`POST {baseUrl}/chat/completions`, SSE streaming) for
 * ChatBot: each request waits in a queue until the test takes it with `next()`.
 */
export class FakeLlm {
  private readonly server: Server;
  private readonly waiting: Completion[] = [];
  private readonly takers: ((c: Completion) => void)[] = [];

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The next completion request (already received or still to come). */
  next(): Promise<Completion> {
    const c = this.waiting.shift();
    return c ? Promise.resolve(c) : new Promise((resolve) => this.takers.push(resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const c = new Completion(
        JSON.parse(Buffer.concat(chunks).toString('utf8')),
        req.headers.authorization,
        res,
      );
      const taker = this.takers.shift();
      if (taker) taker(c);
      else this.waiting.push(c);
    });
  }
}
