import { describe, expect, it } from 'vitest';
import { COLORS } from '../protocol';
import { readableOn } from './PeerAvatar';

describe('avatar letters', () => {
  it('are dark on the light tones (dark mode) and on orange and cyan, white on deep colours', () => {
    for (const c of COLORS) expect(readableOn(c.light)).not.toBe('#fff');
    expect(readableOn('#FF9800')).not.toBe('#fff'); // orange
    expect(readableOn('#00BCD4')).not.toBe('#fff'); // cyan
    expect(readableOn('#3F51B5')).toBe('#fff'); // indigo
    expect(readableOn('#9C27B0')).toBe('#fff'); // purple
  });
});
