import { describe, expect, it } from 'vitest';
import { decodeChatMessage, encodeChatMessage, MAX_CHAT_FRAME, MAX_TEXT } from './chat-codec';
import { decodeConns, cleanName } from './conns';
import { colorIndex, COLORS, nameHash } from './colors';
import { passiveMime, sanitizeFileName } from './filename';

describe('decodeChatMessage', () => {
  it('round-trips a text message', () => {
    const m = {
      messageId: 'm1',
      fromNodeId: 'A',
      toNodeId: 'B',
      timestamp: 1745590000123,
      message: 'hello',
    };
    expect(decodeChatMessage(encodeChatMessage(m))).toEqual({ ok: true, value: m });
  });

  it('reads acks, amends, deletes, pings and file announcements', () => {
    const ack = decodeChatMessage(
      '{"messageId":"x","fromNodeId":"B","toNodeId":"A","timestamp":1,"ack":{"messageId":"m1"}}',
    );
    expect(ack.ok && ack.value.ack).toEqual({ messageId: 'm1' });
    const amend = decodeChatMessage(
      JSON.stringify({
        messageId: 'y',
        timestamp: 2,
        amend: { messageId: 'm1', newMessageJSON: '{}' },
      }),
    );
    expect(amend.ok && amend.value.amend?.messageId).toBe('m1');
    const ping = decodeChatMessage(
      '{"messageId":"p","timestamp":3,"ping":{"direction":"pong","seq":4}}',
    );
    expect(ping.ok && ping.value.ping).toEqual({ direction: 'pong', seq: 4 });
    const file = decodeChatMessage(
      JSON.stringify({
        messageId: 'f',
        timestamp: 4,
        file: {
          category: 'image',
          name: 'a.png',
          size: 10,
          type: 'image/png',
          dcId: '3',
          sha256: 'AB'.repeat(32),
        },
      }),
    );
    expect(file.ok && file.value.file).toEqual({
      category: 'image',
      name: 'a.png',
      size: 10,
      type: 'image/png',
      dcId: '3',
      sha256: 'ab'.repeat(32),
    });
  });

  it('drops fields a peer must not control', () => {
    const r = decodeChatMessage(
      JSON.stringify({
        messageId: 'f',
        timestamp: 1,
        acked: true,
        songTrack: { label: 'x' },
        file: {
          category: 'weird',
          dcId: '1',
          url: 'https://evil.example/track.gif',
          thumbnail: { dataURL: 'https://evil.example/x.png', mime: 'image/png' },
        },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).not.toHaveProperty('acked');
    expect(r.value).not.toHaveProperty('songTrack');
    expect(r.value.file).toEqual({ category: 'file', dcId: '1' });
  });

  it('refuses SVG thumbnails (script) but keeps raster data URLs', () => {
    const svg = decodeChatMessage(
      JSON.stringify({
        messageId: 'f',
        timestamp: 1,
        file: {
          dcId: '1',
          thumbnail: { dataURL: 'data:image/svg+xml;base64,PHN2Zz4=', mime: 'image/svg+xml' },
        },
      }),
    );
    expect(svg.ok && svg.value.file?.thumbnail).toBeUndefined();
    const jpg = decodeChatMessage(
      JSON.stringify({
        messageId: 'f',
        timestamp: 1,
        file: {
          dcId: '1',
          thumbnail: { dataURL: 'data:image/jpeg;base64,AAAA', mime: 'image/jpeg' },
        },
      }),
    );
    expect(jpg.ok && jpg.value.file?.thumbnail?.dataURL).toBe('data:image/jpeg;base64,AAAA');
  });

  it('refuses deeply nested JSON without overflowing the stack (peer frames are not depth-checked by the server)', () => {
    for (const n of [17, 5000, 60000]) {
      const text = `{"messageId":"d","message":"x","x":${'['.repeat(n)}${']'.repeat(n)}}`;
      const r = decodeChatMessage(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('malformed_json');
    }
    const amend = decodeChatMessage(
      JSON.stringify({
        messageId: 'a',
        amend: { messageId: 'm', newMessageJSON: `{"x":${'['.repeat(9000)}${']'.repeat(9000)}}` },
      }),
    );
    expect(amend.ok && decodeChatMessage(amend.value.amend!.newMessageJSON, 1).ok).toBe(false);
  });

  it('takes a message whose unused claims have the wrong type (it is still shown and ACKed)', () => {
    const r = decodeChatMessage(
      '{"messageId":"m","timestamp":"1745590000123","fromNodeId":5,"toNodeId":["x"],"message":"hi"}',
    );
    expect(r).toEqual({
      ok: true,
      value: { messageId: 'm', fromNodeId: '', toNodeId: '', timestamp: 0, message: 'hi' },
    });
    expect(decodeChatMessage('{"messageId":"m","message":5}').ok).toBe(false);
    expect(decodeChatMessage('{"messageId":7,"message":"x"}').ok).toBe(false);
  });

  it('leaves out an absurd file size but keeps the announcement', () => {
    for (const size of [-5, 1.5, '"12"', 1e300, '"NaN"', 'null']) {
      const r = decodeChatMessage(
        `{"messageId":"f","file":{"category":"file","name":"a","size":${size},"dcId":"3"}}`,
      );
      expect(r.ok && r.value.file).toEqual({ category: 'file', name: 'a', dcId: '3' });
    }
    const big = decodeChatMessage(
      '{"messageId":"f","file":{"size":1152921504606846976,"dcId":"3"}}',
    );
    expect(big.ok && big.value.file?.size).toBeUndefined(); // 2^60 is past 2^53
  });

  it('takes a file stream id sent as a JSON number as the decimal string the original sends', () => {
    const r = decodeChatMessage('{"messageId":"f","file":{"category":"file","size":0,"dcId":5}}');
    expect(r.ok && r.value.file).toEqual({ category: 'file', size: 0, dcId: '5' });
    expect(decodeChatMessage('{"messageId":"f","file":{"dcId":-1}}').ok).toBe(false);
    expect(decodeChatMessage('{"messageId":"f","file":{"dcId":1.5}}').ok).toBe(false);
  });

  it('cuts an overlong text instead of dropping the message (it is still shown and ACKed)', () => {
    const long = `${'x'.repeat(MAX_TEXT - 1)}😀${'y'.repeat(1000)}`;
    const r = decodeChatMessage(JSON.stringify({ messageId: 'a', message: long }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.message).toBe(`${'x'.repeat(MAX_TEXT - 1)}…`); // no half surrogate pair
    }
  });

  it.each([
    ['not JSON', 'hello', 'malformed_json'],
    ['an array', '[]', 'not_an_object'],
    ['no id', '{"timestamp":1}', 'missing_field'],
    ['numeric text', '{"messageId":"a","message":5}', 'wrong_type'],
    ['bad dcId', '{"messageId":"a","file":{"dcId":"../1"}}', 'invalid_value'],
    ['bad ping', '{"messageId":"a","ping":{"direction":"x","seq":1}}', 'invalid_value'],
    ['negative seq', '{"messageId":"a","ping":{"direction":"ping","seq":-1}}', 'wrong_type'],
    [
      'huge frame',
      JSON.stringify({ messageId: 'a', message: 'x'.repeat(MAX_CHAT_FRAME) }),
      'too_large',
    ],
  ])('refuses %s', (_name, text, code) => {
    const r = decodeChatMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('hostile /conns attributes', () => {
  it('skips malformed entries and bounds the rest', () => {
    const r = decodeConns(
      JSON.stringify({
        good: {
          node_name: 'alice',
          connected_at: 1,
          registered_at: 2,
          attributes: { preferred_color: '3' },
          authentication: 'none',
        },
        bad: 'not an object',
        weird: { node_name: 42, attributes: { preferred_color: -7, x: 'y'.repeat(5000) } },
        evil: { node_name: '\u202eevil\u0000name' },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((e) => e.nodeId)).toEqual(['good', 'weird', 'evil']);
    expect(r.value[1]?.name).toBe('');
    expect(r.value[1]?.attributes.preferred_color).toBeUndefined();
    expect(r.value[1]?.attributes.x?.length).toBe(256);
    expect(r.value[2]?.name).toBe('evilname');
  });

  it.each(['-1', '10', 'NaN', '3.5', '', '99999999999', 'constructor'])(
    'maps preferred_color %j to a real colour',
    (attr) => {
      const idx = colorIndex(attr, 'bob');
      expect(COLORS[idx]).toBeDefined();
      expect(idx).toBe(nameHash('bob') % 10);
    },
  );

  it('keeps valid colour indexes and the original hash', () => {
    expect(colorIndex('7', 'bob')).toBe(7);
    let h = 0;
    for (const ch of 'user0003') h = (h * 31 + ch.charCodeAt(0)) | 0;
    expect(nameHash('user0003')).toBe(Math.abs(h));
  });

  it('cleans names of control and bidi characters', () => {
    expect(cleanName('a\u0007b\u202ec')).toBe('abc');
    expect(cleanName('x'.repeat(500)).length).toBe(64);
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\win.ini', '_.._win.ini'],
    ['.bashrc', 'bashrc'],
    ['CON.txt', '_CON.txt'],
    ['', 'unknownfile'],
    ['report\u202egnp.exe', 'reportgnp.exe'],
    ['normal photo.jpg', 'normal photo.jpg'],
  ])('%j -> %j', (input, want) => {
    expect(sanitizeFileName(input)).toBe(want);
  });

  it('bounds length and keeps the extension', () => {
    const n = sanitizeFileName('a'.repeat(500) + '.pdf');
    expect(n.length).toBe(200);
    expect(n.endsWith('.pdf')).toBe(true);
  });
});

describe('passiveMime', () => {
  it('keeps types a browser only displays and downloads everything else', () => {
    for (const t of ['image/png', 'image/jpeg', 'video/mp4', 'audio/mpeg', 'text/plain'])
      expect(passiveMime(t)).toBe(t);
    expect(passiveMime('Text/Plain; charset=utf-8')).toBe('text/plain');
    for (const t of [
      'text/html',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/xml',
      'application/xml',
      'text/javascript',
      'multipart/x-mixed-replace',
      'image/png\u0000text/html',
      '',
      undefined,
    ])
      expect(passiveMime(t)).toBe('application/octet-stream');
  });
});
