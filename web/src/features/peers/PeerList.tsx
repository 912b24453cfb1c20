import {
  Badge,
  Box,
  List,
  ListItemAvatar,
  ListItem,
  ListItemButton,
  ListItemText,
  TextField,
  Typography,
} from '@mui/material';
import AttachFileIcon from '@mui/icons-material/AttachFile';
import DescriptionIcon from '@mui/icons-material/Description';
import ImageIcon from '@mui/icons-material/Image';
import MovieIcon from '@mui/icons-material/Movie';
import MusicNoteIcon from '@mui/icons-material/MusicNote';
import type { SvgIconComponent } from '@mui/icons-material';
import { useMemo, useState } from 'react';
import { FILE_PREVIEW_MARKS } from '../../rtc';
import { useAppState, useClient } from '../../ui/client-context';
import { peerIdentity } from '../../ui/identity';
import { IdentityBadges } from '../../ui/IdentityBadges';
import { PeerAvatar } from '../../ui/PeerAvatar';
import { orderPeers } from './order';

/** Each file category's preview mark, drawn as an icon named for the category. */
const FILE_ICONS: readonly { mark: string; Icon: SvgIconComponent; title: string }[] = [
  { mark: FILE_PREVIEW_MARKS.image, Icon: ImageIcon, title: 'Image' },
  { mark: FILE_PREVIEW_MARKS.video, Icon: MovieIcon, title: 'Video' },
  { mark: FILE_PREVIEW_MARKS.audio, Icon: MusicNoteIcon, title: 'Audio' },
  { mark: FILE_PREVIEW_MARKS.document, Icon: DescriptionIcon, title: 'Document' },
  { mark: FILE_PREVIEW_MARKS.file, Icon: AttachFileIcon, title: 'File' },
];

/**
 * The last message's preview. A file's ("🖼 name", "📎 name", ...) gets its category's icon
 * instead of the emoji, which systems without an emoji font draw as a missing-glyph box.
 */
function Preview({ text }: { text: string }) {
  const file = FILE_ICONS.find((f) => text.startsWith(`${f.mark} `));
  if (!file) return text;
  const { Icon, title, mark } = file;
  return (
    <>
      <Icon titleAccess={title} sx={{ fontSize: '1.1em', verticalAlign: '-0.2em', mr: 0.25 }} />
      {text.slice(mark.length + 1)}
    </>
  );
}

export function PeerList({ onSelected }: { onSelected?: () => void }) {
  const client = useClient();
  const peers = useAppState((s) => s.peers);
  const active = useAppState((s) => s.activePeer);
  const serverUp = useAppState((s) => s.status === 'online');
  const [search, setSearch] = useState('');
  const list = useMemo(() => orderPeers(Object.values(peers), search), [peers, search]);

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      <TextField
        label="Search by name"
        size="small"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        sx={{ mx: 2, my: 1 }}
      />
      <List aria-label="Peers" sx={{ overflowY: 'auto', flex: 1 }}>
        {list.length === 0 && (
          <ListItem>
            <Typography color="textSecondary">
              {search ? 'No peers match' : 'Nobody else is here yet'}
            </Typography>
          </ListItem>
        )}
        {list.map((p) => {
          const id = peerIdentity(p, client.apiBase);
          // A list holds list items: the row's button goes inside one.
          return (
            <ListItem key={p.nodeId} disablePadding>
              <ListItemButton
                selected={p.nodeId === active}
                aria-current={p.nodeId === active ? 'true' : undefined}
                aria-label={`${id.label}${p.unread ? `, ${p.unread} unread` : ''}`}
                // The node name, not the display name: stable for tests and unique on the server.
                data-peer-name={p.name || '(no name)'}
                onClick={() => {
                  client.selectPeer(p.nodeId);
                  onSelected?.();
                }}
              >
                <ListItemAvatar
                  // As the original's avatar tooltip (PROTOCOL.md 7.4): the node name and how the
                  // server authenticated it.
                  title={`Username: @${p.name}\nAuthentication: ${p.authentication || 'none'}`}
                >
                  <Badge
                    color="primary"
                    badgeContent={p.unread > 99 ? '99+' : p.unread}
                    invisible={p.unread === 0}
                    slotProps={{ badge: { 'aria-label': `${p.unread} unread` } as object }}
                  >
                    <PeerAvatar
                      name={id.displayName}
                      colorIndex={p.colorIndex}
                      src={id.avatarSrc}
                    />
                  </Badge>
                </ListItemAvatar>
                <ListItemText
                  primary={
                    <Box component="span" sx={{ display: 'flex', alignItems: 'center', gap: 0.75 }}>
                      <Box
                        component="span"
                        // The whole name when the row cuts it.
                        title={id.displayName}
                        sx={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                      >
                        {id.displayName}
                      </Box>
                      <IdentityBadges identity={id} />
                    </Box>
                  }
                  secondary={
                    p.lastPreview !== undefined ? (
                      <Preview text={p.lastPreview} />
                    ) : p.connection === 'connected' ? (
                      p.online ? (
                        'Connected'
                      ) : (
                        'Connected directly (away from the server)'
                      )
                    ) : !p.online ? (
                      'Offline'
                    ) : serverUp ? (
                      'Online'
                    ) : (
                      // Presence is unknown while we cannot reach the server ourselves.
                      'Last seen online'
                    )
                  }
                  slotProps={{
                    primary: { noWrap: true, sx: { fontWeight: p.unread ? 700 : 400 } },
                    secondary: { noWrap: true },
                  }}
                />
              </ListItemButton>
            </ListItem>
          );
        })}
      </List>
    </Box>
  );
}
