import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Box, IconButton, Slider, Stack, Typography } from '@mui/material';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useClient } from '../../ui/client-context';

type TrackState = 'live' | 'muted' | 'ended';

/** Whether the stream's audio track has sound coming (muted: none arriving; ended: gone). */
function useTrackState(stream: MediaStream | undefined): TrackState {
  const [state, setState] = useState<TrackState>('live');
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!track) return;
    const update = () =>
      setState(track.readyState === 'ended' ? 'ended' : track.muted ? 'muted' : 'live');
    update();
    for (const ev of ['mute', 'unmute', 'ended']) track.addEventListener(ev, update);
    return () => {
      for (const ev of ['mute', 'unmute', 'ended']) track.removeEventListener(ev, update);
    };
  }, [stream]);
  return state;
}

/** Local player card for an audio track received from a peer (PROTOCOL.md 5.4). */
export function AudioCard({ trackId, label }: { trackId: string; label: string | undefined }) {
  const client = useClient();
  const audio = useRef<HTMLAudioElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  // A track that replaces one the user was listening to carries on as that one was left.
  const [start] = useState(() => client.tracks.startState(trackId));
  const [playing, setPlaying] = useState(start.playing);
  const [volume, setVolume] = useState(start.volume);
  useSyncExternalStore(client.tracks.subscribe, client.tracks.snapshot);
  const stream = client.tracks.get(trackId);
  const state = useTrackState(stream);

  useEffect(() => {
    const a = audio.current;
    if (!a || !stream) return;
    a.srcObject = stream;
    if (start.playing) a.play().catch(() => setPlaying(false));
  }, [stream, start]);

  useEffect(() => {
    if (audio.current) audio.current.volume = volume / 100;
    client.tracks.setPlayer(trackId, { playing, volume });
  }, [client, trackId, playing, volume]);

  useEffect(() => {
    if (!playing || !stream || !canvas.current) return;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 128;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const bins = new Uint8Array(analyser.frequencyBinCount);
    const el = canvas.current;
    const g = el.getContext('2d');
    let raf = 0;
    const draw = () => {
      analyser.getByteFrequencyData(bins);
      if (g && canvas.current) {
        const { width, height } = canvas.current;
        g.clearRect(0, 0, width, height);
        g.fillStyle = '#2196F3';
        const w = width / bins.length;
        bins.forEach((v, i) =>
          g.fillRect(i * w, height - (v / 255) * height, w - 1, (v / 255) * height),
        );
      }
      raf = requestAnimationFrame(draw);
    };
    draw();
    return () => {
      cancelAnimationFrame(raf);
      void ctx.close();
      // Paused: an empty visualiser, not the last frame frozen.
      g?.clearRect(0, 0, el.width, el.height);
    };
  }, [playing, stream]);

  if (!stream || state === 'ended')
    return <Typography variant="body2">The track is ended or not ready to play yet.</Typography>;
  return (
    <Box role="group" aria-label="Audio from peer" sx={{ minWidth: 240 }}>
      <Typography variant="subtitle2" component="div">
        {label || 'Unknown Track'}
      </Typography>
      <audio ref={audio} />
      <canvas
        ref={canvas}
        width={240}
        height={32}
        role="img"
        aria-label="Audio visualiser"
        style={{ width: '100%', height: 32 }}
      />
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
        <IconButton
          color="inherit"
          aria-label={playing ? 'Pause' : 'Play'}
          // No sound comes while the track is muted (PROTOCOL.md 5.4); a playing one can pause.
          disabled={state === 'muted' && !playing}
          onClick={() => {
            const a = audio.current;
            if (!a) return;
            if (playing) a.pause();
            else void a.play();
            setPlaying(!playing);
          }}
        >
          {playing ? <PauseIcon /> : <PlayArrowIcon />}
        </IconButton>
        <Slider
          aria-label="Volume"
          value={volume}
          onChange={(_e, v) => setVolume(v as number)}
          size="small"
          sx={{ color: 'inherit' }}
        />
        <Typography variant="caption" sx={{ whiteSpace: 'nowrap' }}>
          {volume}%
        </Typography>
      </Stack>
    </Box>
  );
}
