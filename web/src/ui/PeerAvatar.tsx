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
        color: '#fff',
        bgcolor: theme.palette.mode === 'dark' ? color?.light : color?.dark,
      }}
    >
      {letter}
    </Avatar>
  );
}
