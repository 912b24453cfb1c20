import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import SettingsBrightnessIcon from '@mui/icons-material/SettingsBrightness';
import { IconButton, Tooltip, useColorScheme } from '@mui/material';

const NEXT = { system: 'dark', dark: 'light', light: 'system' } as const;
const LABEL = { system: 'System', dark: 'Dark', light: 'Light' } as const;

/** system -> dark -> light -> system, as the original. */
export function ThemeToggle() {
  const { mode, setMode } = useColorScheme();
  const m = mode ?? 'system';
  const Icon = m === 'dark' ? DarkModeIcon : m === 'light' ? LightModeIcon : SettingsBrightnessIcon;
  return (
    <Tooltip title={`Mode: ${LABEL[m]}`}>
      <IconButton
        color="inherit"
        aria-label={`Colour mode: ${LABEL[m]}`}
        onClick={() => setMode(NEXT[m])}
      >
        <Icon />
      </IconButton>
    </Tooltip>
  );
}
