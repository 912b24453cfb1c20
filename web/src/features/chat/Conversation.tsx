import InsightsIcon from '@mui/icons-material/Insights';
import MenuIcon from '@mui/icons-material/Menu';
import { Box, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import { useAppState, useClient } from '../../ui/client-context';
import type { ChatItem, PeerView } from '../../rtc';
import { formatRtt } from '../../ui/format';
import { peerIdentity } from '../../ui/identity';
import { IdentityBadges } from '../../ui/IdentityBadges';
import { PeerAvatar } from '../../ui/PeerAvatar';
import { Composer } from './Composer';
import { DeleteDialog } from './DeleteDialog';
import { EditDialog } from './EditDialog';
import { MessageList } from './MessageList';

const EMPTY: ChatItem[] = [];

const STATE_TEXT: Record<string, [string, string]> = {
  connected: ['Connected', 'success.main'],
  connecting: ['Connecting…', 'warning.main'],
  new: ['Connecting…', 'warning.main'],
  disconnected: ['Disconnected', 'error.main'],
  failed: ['Connection failed', 'error.main'],
  closed: ['Closed', 'error.main'],
  none: ['Not connected', 'text.disabled'],
};

/** The header's RTT: the only part of the conversation that a ping sample re-renders. */
function PeerRtt({ peerId }: { peerId: string }) {
  const rtt = useAppState((s) => s.peerRtt[peerId]?.rtt);
  if (rtt === undefined) return null;
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      aria-label="Round-trip time"
      data-testid="peer-rtt"
      // On a narrow phone it moves to its own line whole, not "RTT 1.7" and "ms" apart.
      sx={{ whiteSpace: 'nowrap' }}
    >
      · RTT {formatRtt(rtt)}
    </Typography>
  );
}

export function Conversation({
  peerId,
  onOpenPeers,
  diagnostics,
}: {
  peerId: string;
  onOpenPeers?: () => void;
  /** The diagnostics panel, composed in by the app (features do not import each other). */
  diagnostics?: (peer: PeerView) => ReactNode;
}) {
  const client = useClient();
  const peer = useAppState((s) => s.peers[peerId]);
  const items = useAppState((s) => s.messages[peerId] ?? EMPTY);
  const [editing, setEditing] = useState<ChatItem | null>(null);
  const [deleting, setDeleting] = useState<ChatItem | null>(null);
  const [diag, setDiag] = useState(false);
  /** Files dragged over the pane: null, or what the overlay says (taken, or why not). */
  const [dragging, setDragging] = useState<{ ok: boolean; text: string } | null>(null);

  const composer = useRef<HTMLDivElement>(null);
  const actions = useMemo(
    () => ({
      onEdit: (id: string) =>
        setEditing(client.store.getState().messages[peerId]?.find((m) => m.id === id) ?? null),
      onDelete: (id: string) =>
        setDeleting(client.store.getState().messages[peerId]?.find((m) => m.id === id) ?? null),
      onRetry: (id: string) => client.retry(peerId, id),
      onCancel: (id: string) => client.cancelTransfer(peerId, id),
    }),
    [client, peerId],
  );
  const onSend = useCallback((t: string) => client.sendText(peerId, t), [client, peerId]);
  const onFiles = useCallback((f: File[]) => client.sendFiles(peerId, f), [client, peerId]);
  const onReadingNewest = useCallback((b: boolean) => client.setReadingNewest(b), [client]);

  if (!peer) return null;
  const id = peerIdentity(peer, client.apiBase);
  const name = id.displayName;
  const [stateText, stateColor] = STATE_TEXT[peer.connection] ?? ['Unknown', 'text.disabled'];
  const ready = peer.chatOpen;
  const canAttach = peer.supportsFiles;

  return (
    <Box
      component="section"
      aria-label={`Conversation with ${name}`}
      sx={{
        display: 'flex',
        flexDirection: 'column',
        height: '100%',
        minHeight: 0,
        position: 'relative',
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        // Not taken here: the app's window guard refuses the drop (no navigation to the file).
        if (!ready || !canAttach) {
          const text = !canAttach ? `${name} cannot receive files` : 'Not connected yet';
          if (dragging?.text !== text) setDragging({ ok: false, text });
          return;
        }
        e.preventDefault();
        if (!dragging?.ok) setDragging({ ok: true, text: 'Release to drop' });
      }}
      onDragLeave={() => setDragging(null)}
      onDrop={(e) => {
        setDragging(null);
        if (!ready || !canAttach) return;
        e.preventDefault();
        const files = Array.from(e.dataTransfer.files);
        if (files.length) client.sendFiles(peerId, files);
      }}
    >
      <Stack
        direction="row"
        sx={{
          alignItems: 'center',
          gap: 1.5,
          px: 2,
          py: 1,
          borderBottom: 1,
          borderColor: 'divider',
        }}
      >
        {onOpenPeers && (
          <IconButton
            aria-label="Open peer list"
            onClick={onOpenPeers}
            sx={{ display: { md: 'none' } }}
          >
            <MenuIcon />
          </IconButton>
        )}
        <PeerAvatar name={name} colorIndex={peer.colorIndex} size={36} src={id.avatarSrc} />
        <Box sx={{ minWidth: 0, flex: 1 }}>
          <Stack direction="row" sx={{ alignItems: 'center', gap: 0.75, minWidth: 0 }}>
            <Typography variant="subtitle1" component="h2" noWrap title={name}>
              {name}
            </Typography>
            <IdentityBadges identity={id} focusable />
          </Stack>
          <Stack direction="row" sx={{ alignItems: 'center', columnGap: 0.75, flexWrap: 'wrap' }}>
            <Box
              sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: stateColor }}
              aria-hidden
            />
            <Typography variant="caption" color="textSecondary" data-testid="peer-state">
              {stateText}
              {!peer.online &&
                (peer.connection === 'connected' ? ' · away from the server' : ' · offline')}
            </Typography>
            {peer.connection === 'connected' && <PeerRtt peerId={peerId} />}
          </Stack>
        </Box>
        {diagnostics && (
          <Tooltip title="Diagnostics">
            <IconButton aria-label="Diagnostics" aria-pressed={diag} onClick={() => setDiag(!diag)}>
              <InsightsIcon />
            </IconButton>
          </Tooltip>
        )}
      </Stack>
      {diag && diagnostics?.(peer)}
      <MessageList
        items={items}
        peerName={name}
        actions={actions}
        scrollKey={peerId}
        unread={peer.unread}
        onReadingNewest={onReadingNewest}
      />
      <Box ref={composer}>
        <Composer
          ready={ready}
          canAttach={canAttach}
          onSend={onSend}
          onFiles={onFiles}
          focusWhenReady
          {...(peer.maxMessageSize ? { maxFrameBytes: peer.maxMessageSize } : {})}
          {...(!peer.online && !ready ? { notReadyText: `${name} is offline` } : {})}
        />
      </Box>
      {dragging && (
        // Theme colours, so it stands out in dark mode too (a dark veil vanished there).
        <Box
          data-testid="drop-overlay"
          sx={{
            position: 'absolute',
            inset: 8,
            display: 'grid',
            placeItems: 'center',
            bgcolor: 'background.paper',
            opacity: 0.94,
            border: 3,
            borderStyle: 'dashed',
            borderColor: dragging.ok ? 'primary.main' : 'text.disabled',
            borderRadius: 2,
            color: dragging.ok ? 'primary.main' : 'text.secondary',
            pointerEvents: 'none',
            textAlign: 'center',
            p: 2,
          }}
        >
          <Typography variant="h5" sx={{ overflowWrap: 'anywhere' }}>
            {dragging.text}
          </Typography>
        </Box>
      )}
      {deleting && (
        <DeleteDialog
          item={deleting}
          peerName={name}
          onClose={() => setDeleting(null)}
          onDelete={() => {
            client.deleteMessage(peerId, deleting.id);
            setDeleting(null);
            // The deleted bubble held the focus (its menu): hand it to the composer, not the page.
            requestAnimationFrame(() =>
              composer.current?.querySelector<HTMLElement>('textarea:not([aria-hidden])')?.focus(),
            );
          }}
        />
      )}
      {editing && (
        <EditDialog
          initial={editing.text ?? ''}
          onClose={() => setEditing(null)}
          onSave={(t) => {
            client.editMessage(peerId, editing.id, t);
            setEditing(null);
          }}
        />
      )}
    </Box>
  );
}
