import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const ARTIFACTS = join(REPO, 'tests/artifacts');
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
const SERVER_BIN = process.env.TINCAN_SERVER_BIN ?? join(REPO, 'build/bin/tincan-server');
const WEB_ROOT = join(REPO, 'web/dist');
export const AGENTS_BIN = process.env.TINCAN_AGENTS_BIN ?? join(REPO, 'build/bin/tincan-agents');

let counter = 0;

/** A real tincan-server on loopback, serving web/dist; killed and restarted by the tests. */
export class TincanServer {
  private proc: ChildProcess | null = null;
  port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-e2e-'));
  private readonly id = ++counter;

  /**
   * `management: true` opens the management API on a Unix socket (bot accounts, JWTs); `args`
   * and `env` are extra flags and environment variables (e.g. a TURN relay).
   */
  constructor(
    private readonly opts: {
      management?: boolean;
      args?: string[];
      env?: Record<string, string>;
    } = {},
  ) {}

  get managementSocket(): string {
    return join(this.dir, 'management.sock');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    if (!existsSync(SERVER_BIN))
      throw new Error(`no server binary at ${SERVER_BIN} (make build-cpp)`);
    if (!existsSync(join(WEB_ROOT, 'index.html')))
      throw new Error('web/dist missing (npm run build)');
    mkdirSync(ARTIFACTS, { recursive: true });
    const portFile = join(this.dir, 'port');
    rmSync(portFile, { force: true });
    const log = createWriteStream(join(ARTIFACTS, `e2e-server-${this.id}.log`), { flags: 'a' });
    const proc = spawn(
      SERVER_BIN,
      [
        '--listen-addr',
        `127.0.0.1:${port}`,
        '--port-file',
        portFile,
        '--web-root',
        WEB_ROOT,
        '--management-listen',
        this.opts.management ? this.managementSocket : '',
        '--data-dir',
        join(this.dir, 'data'),
        '--ws-timeout',
        '30s',
        ...(this.opts.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.opts.env } },
    );
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    this.proc = proc;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `server exited (${proc.exitCode ?? proc.signalCode}); see ${ARTIFACTS}/e2e-server-${this.id}.log`,
        );
      }
      if (existsSync(portFile)) {
        const text = readFileSync(portFile, 'utf8').trim();
        if (/^\d+$/.test(text)) {
          this.port = Number(text);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 50)); // polling a file the server writes
    }
    throw new Error('server did not write its port file');
  }

  /**
   * Creates a bot account through the management API (`POST /bots/add`, as
   * scripts/provision-bots does) and returns its JWT.
   */
  async addBot(username: string, displayName: string, avatarUrl: string): Promise<string> {
    if (!this.opts.management) throw new Error('start the server with { management: true }');
    const body = JSON.stringify({ username, display_name: displayName, avatar_url: avatarUrl });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.managementSocket,
          path: '/bots/add',
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const token = (JSON.parse(answer.text) as { token?: unknown }).token;
    if (answer.status !== 200 || typeof token !== 'string')
      throw new Error(`POST /bots/add ${username}: HTTP ${answer.status} ${answer.text}`);
    return token;
  }

  /** SIGKILL: no goodbye to anyone, as a crash. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface AgentOptions {
  /** Env file entries such as `{ ECHOBOT_JWT_TOKEN: jwt }` (bots sign in with them). */
  tokens?: Record<string, string>;
  /** Extra flags (e.g. `--ogg-file`). */
  args?: string[];
  /** Extra environment variables (e.g. an LLM key). */
  env?: NodeJS.ProcessEnv;
}

/** tincan-agents connected to a server, with the bots asked for; killed by stop(). */
export class TincanAgents {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-agents-'));

  start(server: TincanServer, bots: string[], opts: AgentOptions = {}): void {
    if (!existsSync(AGENTS_BIN)) throw new Error(`no agents binary at ${AGENTS_BIN}`);
    const envFile = join(this.dir, 'bots.env');
    writeFileSync(
      envFile,
      Object.entries(opts.tokens ?? {})
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    const log = createWriteStream(join(ARTIFACTS, 'e2e-agents.log'), { flags: 'a' });
    this.proc = spawn(
      AGENTS_BIN,
      [
        '--ws-server',
        `ws://127.0.0.1:${server.port}/api/ws`,
        '--bots',
        bots.join(','),
        '--bots-secret-env-file',
        envFile,
        '--reconnect-on-disconnect',
        '--ice-server',
        '', // loopback only: no STUN lookups on an offline machine
        ...(opts.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir, env: { ...process.env, ...opts.env } },
    );
    this.proc.stdout?.pipe(log);
    this.proc.stderr?.pipe(log);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
