import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS } from './server';

/** A free UDP port on loopback (the OS picks it; coturn takes it a moment later). */
async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/** Resolves once a STUN Binding request to `port` is answered (RFC 5389 header only). */
async function stunAnswers(port: number, timeoutMs: number): Promise<void> {
  const sock = createSocket('udp4');
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
  request.writeUInt32BE(0x2112a442, 4); // magic cookie
  randomBytes(12).copy(request, 8);
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('coturn did not answer STUN')), timeoutMs);
      sock.on('message', (msg) => {
        if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101) {
          clearTimeout(deadline);
          clearInterval(resend);
          resolve();
        }
      });
      // UDP may be lost before coturn listens: the request is repeated until it is answered.
      const resend = setInterval(() => sock.send(request, port, '127.0.0.1'), 100);
      sock.send(request, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/**
 * Debian's coturn on loopback with TURN REST credentials (`use-auth-secret`), as a deployment
 * runs it next to tincan-server; the secret is random per run.
 */
export class CoturnRelay {
  readonly secret = randomBytes(24).toString('hex');
  port = 0;
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-coturn-'));
  readonly logFile = join(ARTIFACTS, 'e2e-coturn.log');

  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  async start(): Promise<void> {
    this.port = await freeUdpPort();
    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(this.logFile, { force: true });
    this.proc = spawn(
      'turnserver',
      [
        '-n', // no configuration file: everything is here
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${this.port}`,
        '--use-auth-secret',
        `--static-auth-secret=${this.secret}`,
        '--realm=tincan.test',
        // The peers are on this machine's loopback too (a deployment leaves this off).
        '--allow-loopback-peers',
        '--no-tls',
        '--no-dtls',
        '--no-tcp-relay',
        '--no-cli',
        // Its own file (through a pipe, coturn's stdout is block-buffered).
        `--log-file=${this.logFile}`,
        '--simple-log',
        '--verbose', // session lines: allocations and the usernames they used
        `--userdb=${join(this.dir, 'turndb')}`,
        `--pidfile=${join(this.dir, 'turnserver.pid')}`,
      ],
      { stdio: 'ignore' },
    );
    await stunAnswers(this.port, 10_000);
  }

  /** coturn's log so far (allocations name the credential's username). */
  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
