// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import type { TincanClient } from '../../rtc';
import { TrackRegistry } from '../../rtc/media';
import { ClientContext } from '../../ui/client-context';
import { AudioCard } from './AudioCard';

afterEach(cleanup);

/** A remote audio track as the browser reports it: muted until packets come, ended when gone. */
class FakeTrack extends EventTarget {
  muted = true;
  readyState: MediaStreamTrackState = 'live';
  set(change: Partial<Pick<FakeTrack, 'muted' | 'readyState'>>, event: string) {
    Object.assign(this, change);
    act(() => {
      this.dispatchEvent(new Event(event));
    });
  }
}

it('can play once sound comes, and says when the track has ended', () => {
  const track = new FakeTrack();
  const stream = { getAudioTracks: () => [track] } as unknown as MediaStream;
  const tracks = new TrackRegistry();
  const id = tracks.add('bot', stream);
  render(
    <ClientContext.Provider value={{ tracks } as unknown as TincanClient}>
      <AudioCard trackId={id} label="A4" />
    </ClientContext.Provider>,
  );
  const play = screen.getByRole('button', { name: 'Play' });
  expect(play.hasAttribute('disabled')).toBe(true);
  track.set({ muted: false }, 'unmute');
  expect(play.hasAttribute('disabled')).toBe(false);
  track.set({ readyState: 'ended' }, 'ended');
  expect(screen.getByText('The track is ended or not ready to play yet.')).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Play' })).toBeNull();
});
