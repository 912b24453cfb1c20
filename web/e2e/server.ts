import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
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
        '',
        '--data-dir',
        join(this.dir, 'data'),
        '--ws-timeout',
        '30s',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
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

/** tincan-agents connected to a server, with the bots asked for; killed by stop(). */
export class TincanAgents {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-agents-'));

  start(server: TincanServer, bots: string[]): void {
    if (!existsSync(AGENTS_BIN)) throw new Error(`no agents binary at ${AGENTS_BIN}`);
    const log = createWriteStream(join(ARTIFACTS, 'e2e-agents.log'), { flags: 'a' });
    this.proc = spawn(
      AGENTS_BIN,
      [
        '--ws-server',
        `ws://127.0.0.1:${server.port}/api/ws`,
        '--bots',
        bots.join(','),
        '--bots-secret-env-file',
        join(this.dir, 'none.env'),
        '--reconnect-on-disconnect',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir },
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
