import { afterEach } from 'vitest';
import type { ServerEntry } from '../../protocol';
import { TincanClient, type ClientOptions } from '../client';
import { FakeHub, FakePeerConnection, fakeCertificate } from './fake-network';

/** The servers.json entry the client tests connect with. */
export const testServer: ServerEntry = {
  id: 'local',
  name: 'Local',
  url: '/api/ws',
  apiPrefix: '/api',
  iceServers: [],
  idp: [],
  allowAnonymous: true,
};

const running: TincanClient[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

/**
 * A started TincanClient on `hub` (fake WebSocket, fake peer connections, a fake certificate);
 * stopped after the test. `extra` overrides any option.
 */
export function startClient(hub: FakeHub, name: string, extra: Partial<ClientOptions> = {}) {
  const c = new TincanClient({
    server: testServer,
    name,
    origin: 'http://127.0.0.1:1',
    fetchImpl: hub.fetch,
    createSocket: (u) => hub.connect(u),
    createPeerConnection: (config) =>
      new FakePeerConnection(config) as unknown as RTCPeerConnection,
    generateCertificate: () => Promise.resolve(fakeCertificate()),
    ...extra,
  });
  running.push(c);
  c.start();
  return c;
}
