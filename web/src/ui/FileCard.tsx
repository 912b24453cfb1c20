import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import InsertDriveFileIcon from '@mui/icons-material/InsertDriveFile';
import CloseIcon from '@mui/icons-material/Close';
import {
  Box,
  Button,
  ButtonBase,
  Chip,
  Dialog,
  DialogContent,
  DialogTitle,
  IconButton,
  LinearProgress,
  Link,
  Stack,
  Typography,
} from '@mui/material';
import { useId, useState } from 'react';
import { sanitizeFileName } from '../protocol';
import type { FileView } from '../rtc';
import { useTransferProgress } from './client-context';
import { formatBytes, formatEta } from './format';

const STATUS_TEXT: Record<FileView['status'], string> = {
  waiting: 'Waiting',
  transferring: 'Transferring',
  complete: 'Complete',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Bytes and rate: live from the client's progress board while transferring, else the final ones. */
function useProgress(file: FileView): { bytes: number; rate: number } {
  return useTransferProgress(file.transferId) ?? file;
}

// Progress ticks (once a second, rtc/pulse.ts) re-render only these two small components.
function TransferCaption({ file, gone, out }: { file: FileView; gone?: string; out: boolean }) {
  const { bytes, rate } = useProgress(file);
  // On our own (primary) bubble the bubble's text colour; a grey there is unreadable.
  const color = out ? 'inherit' : 'textSecondary';
  if (gone)
    return (
      <Typography variant="caption" color={color} component="div">
        <span data-testid="transfer-status">{gone}</span> · {formatBytes(file.size)}
      </Typography>
    );
  return (
    <Typography variant="caption" color={color} component="div" aria-live="polite">
      <span data-testid="transfer-status">{STATUS_TEXT[file.status]}</span> · {formatBytes(bytes)}
      {/* A file announced without a size (PROTOCOL.md 4.3): no total, no ETA until it ends. */}
      {!file.sizeUnknown && ` of ${formatBytes(file.size)}`}
      {file.status === 'transferring' &&
        rate > 0 &&
        ` · ${formatBytes(rate)}/s${file.sizeUnknown ? '' : ` · ${formatEta(file.size - bytes, rate)}`}`}
      {file.error && ` · ${file.error}`}
    </Typography>
  );
}

// No 0.4 s transform transition: with a tick every second the bar would animate (and repaint)
// continuously for the whole transfer.
const BAR_SX = { flex: 1, '& .MuiLinearProgress-bar': { transition: 'none' } } as const;

function TransferBar({ file, label, out }: { file: FileView; label: string; out: boolean }) {
  const { bytes } = useProgress(file);
  const pct = file.size > 0 ? Math.min(100, (bytes / file.size) * 100) : 0;
  // On the sender's own (primary-coloured) bubble the bar takes the bubble's text colour.
  return (
    <LinearProgress
      variant={file.sizeUnknown ? 'indeterminate' : 'determinate'}
      value={pct}
      aria-label={label}
      color={out ? 'inherit' : 'primary'}
      sx={BAR_SX}
    />
  );
}

/** A completed image; a click (or Enter) opens it larger in a dialog, Escape closes it. */
function ImageWithPreview({ url, name }: { url: string; name: string }) {
  const [open, setOpen] = useState(false);
  const titleId = useId();
  return (
    <>
      <ButtonBase
        aria-label={`Open a larger preview of ${name}`}
        onClick={() => setOpen(true)}
        sx={{ display: 'block', borderRadius: 1, cursor: 'zoom-in' }}
      >
        <Box
          component="img"
          src={url}
          alt={name}
          sx={{ maxWidth: '100%', maxHeight: 240, borderRadius: 1, display: 'block' }}
        />
      </ButtonBase>
      <Dialog open={open} onClose={() => setOpen(false)} maxWidth="lg" aria-labelledby={titleId}>
        <DialogTitle
          sx={{ display: 'flex', alignItems: 'center', gap: 1, pr: 1, wordBreak: 'break-all' }}
        >
          <Box component="span" id={titleId} sx={{ flex: 1 }}>
            {name}
          </Box>
          <IconButton aria-label="Close preview" onClick={() => setOpen(false)}>
            <CloseIcon />
          </IconButton>
        </DialogTitle>
        <DialogContent sx={{ display: 'grid', placeItems: 'center' }}>
          <Box
            component="img"
            src={url}
            alt={name}
            sx={{ maxWidth: '100%', maxHeight: '80vh', display: 'block' }}
          />
        </DialogContent>
      </Dialog>
    </>
  );
}

/** One file transfer: progress (bytes, rate, ETA), cancel, digest state and the saved file. */
export function FileCard({
  file,
  out,
  restored,
  onCancel,
}: {
  file: FileView;
  out: boolean;
  /** Kept in this browser's history: the bytes did not survive the reload (history.ts). */
  restored?: boolean;
  onCancel: () => void;
}) {
  const safeName = sanitizeFileName(file.name);
  // A completed file from before a reload: name and size only, no claim about its bytes.
  const gone =
    restored && !file.url && file.status === 'complete'
      ? `No longer available: ${out ? 'sent' : 'received'} before the page was reloaded`
      : undefined;
  const active = file.status === 'waiting' || file.status === 'transferring';
  const showImage =
    file.status === 'complete' &&
    file.url &&
    file.category === 'image' &&
    file.type !== 'image/svg+xml';
  const showVideo = file.status === 'complete' && file.url && file.category === 'video';
  return (
    <Box
      role="group"
      aria-label={`File ${safeName}`}
      data-transfer-status={gone ? 'unavailable' : file.status}
      sx={{ minWidth: 220, maxWidth: 360 }}
    >
      {showVideo ? (
        <Box
          component="video"
          src={file.url}
          {...(file.thumbnail ? { poster: file.thumbnail } : {})}
          controls
          muted
          preload="metadata"
          aria-label={`Video ${safeName}`}
          sx={{ maxWidth: '100%', maxHeight: 240, borderRadius: 1, display: 'block' }}
        />
      ) : showImage && file.url ? (
        <ImageWithPreview url={file.url} name={safeName} />
      ) : file.thumbnail ? (
        <Box
          component="img"
          src={file.thumbnail}
          alt=""
          sx={{
            maxWidth: 150,
            borderRadius: 1,
            display: 'block',
            filter: active ? 'blur(2px)' : undefined,
          }}
        />
      ) : null}
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, mt: 0.5 }}>
        <InsertDriveFileIcon fontSize="small" aria-hidden />
        {file.status === 'complete' && file.url ? (
          <Link href={file.url} download={safeName} sx={{ wordBreak: 'break-all' }}>
            {safeName}
          </Link>
        ) : (
          <Typography sx={{ wordBreak: 'break-all' }}>{safeName}</Typography>
        )}
      </Stack>
      <TransferCaption file={file} out={out} {...(gone ? { gone } : {})} />
      {active && (
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
          <TransferBar file={file} label={`Transfer progress of ${safeName}`} out={out} />
          <Button
            size="small"
            variant="outlined"
            color={out ? 'inherit' : 'primary'}
            onClick={onCancel}
            aria-label={`Cancel transfer of ${safeName}`}
          >
            Cancel
          </Button>
        </Stack>
      )}
      {file.sha256 && !gone && (
        <Stack direction="row" sx={{ alignItems: 'center', gap: 1, mt: 0.5 }}>
          {file.verification === 'verified' && (
            <Chip
              size="small"
              color="success"
              icon={<CheckCircleIcon />}
              label="SHA-256 verified"
            />
          )}
          {file.verification === 'mismatch' && (
            <Chip size="small" color="error" icon={<ErrorIcon />} label="SHA-256 mismatch" />
          )}
          {out && file.status === 'complete' && (
            <Chip
              size="small"
              variant="outlined"
              label="Sent"
              sx={{ color: 'inherit', borderColor: 'currentColor' }}
            />
          )}
          <Typography
            variant="caption"
            noWrap
            sx={{ fontFamily: 'monospace', fontSize: 10, minWidth: 0, flex: 1 }}
            title={`File digest: SHA-256 over the SHA-256 of each 256 KiB block\n${file.sha256}`}
            data-testid="sha256"
          >
            {file.sha256}
          </Typography>
        </Stack>
      )}
    </Box>
  );
}
