import { Avatar, useTheme } from '@mui/material';
import { COLORS } from '../protocol';

/** The original's generated fallback: the colour's dark tone and the capitalised first letter. */
export function PeerAvatar({
  name,
  colorIndex,
  size = 40,
  src,
}: {
  name: string;
  colorIndex: number;
  size?: number;
  /** Account avatar URL; the generated letter shows while loading and if it fails. */
  src?: string | undefined;
}) {
  const theme = useTheme();
  const color = COLORS[colorIndex] ?? COLORS[9];
  const letter = (Array.from(name.trim())[0] ?? '?').toUpperCase();
  const bg = (theme.palette.mode === 'dark' ? color?.light : color?.dark) ?? '#9e9e9e';
  return (
    <Avatar
      aria-hidden
      src={src}
      alt=""
      sx={{
        width: size,
        height: size,
        fontSize: size * 0.45,
        fontWeight: 700,
        color: readableOn(bg),
        bgcolor: bg,
      }}
    >
      {letter}
    </Avatar>
  );
}

/** Black or white letters, whichever contrasts more with `hex` (WCAG relative luminance). */
export function readableOn(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  const channel = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum =
    0.2126 * channel((n >> 16) & 255) +
    0.7152 * channel((n >> 8) & 255) +
    0.0722 * channel(n & 255);
  // Contrast with white (1.05 / (lum + 0.05)) against contrast with black ((lum + 0.05) / 0.05).
  return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 ? '#fff' : 'rgba(0, 0, 0, 0.87)';
}
