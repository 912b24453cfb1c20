import { Box, Stack, Typography } from '@mui/material';
import { useAppState } from '../../ui/client-context';
import type { PeerView } from '../../rtc';
import { formatRtt } from '../../ui/format';
import { Sparkline } from './Sparkline';

const NO_SAMPLES: number[] = [];

/** Per-peer diagnostics: RTTs (WebSocket echo and `ping` channel), state, candidate pair. */
export function DiagnosticsPanel({ peer }: { peer: PeerView }) {
  const wsRtt = useAppState((s) => s.wsRtt);
  const wsHistory = useAppState((s) => s.wsRttHistory);
  const rtt = useAppState((s) => s.peerRtt[peer.nodeId]);
  const rows: [string, string][] = [
    ['Connection', peer.connection.charAt(0).toUpperCase() + peer.connection.slice(1)],
    ['Path', peer.path ? `${peer.path.local} → ${peer.path.remote}` : '—'],
    ['Peer RTT (ping channel)', formatRtt(rtt?.rtt)],
    ['Server RTT (WebSocket echo)', formatRtt(wsRtt)],
  ];
  return (
    <Box
      component="section"
      aria-label="Diagnostics"
      sx={{ p: 2, borderBottom: 1, borderColor: 'divider' }}
    >
      <Box
        component="dl"
        sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 0.5, m: 0 }}
      >
        {rows.map(([k, v]) => (
          <Box key={k} sx={{ display: 'contents' }}>
            <Typography component="dt" variant="body2" color="textSecondary">
              {k}
            </Typography>
            <Typography component="dd" variant="body2" sx={{ m: 0 }} aria-label={k}>
              {v}
            </Typography>
          </Box>
        ))}
      </Box>
      <Stack direction="row" sx={{ gap: 3, mt: 1, color: 'primary.main' }}>
        {(
          [
            ['Peer RTT history', rtt?.history ?? NO_SAMPLES],
            ['Server RTT history', wsHistory],
          ] as const
        ).map(([label, values]) => (
          <Box key={label}>
            <Sparkline values={values} label={label} />
            {values.length > 1 && (
              <Typography variant="caption" color="textSecondary" component="div" aria-hidden>
                {label} (max {formatRtt(Math.max(...values))})
              </Typography>
            )}
          </Box>
        ))}
      </Stack>
    </Box>
  );
}
