import { createTheme } from '@mui/material';

export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  // Text on a coloured fill (buttons, badges, the failed bubble) picks black or white for WCAG AA
  // (4.5:1): with MUI's default threshold of 3, white on dark mode's red was 3.7:1.
  colorSchemes: {
    light: {
      palette: { contrastThreshold: 4.5, background: { default: '#f5f5f5', paper: '#ffffff' } },
    },
    dark: { palette: { contrastThreshold: 4.5 } },
  },
  shape: { borderRadius: 8 },
  components: {
    MuiDialog: { styleOverrides: { paper: { borderRadius: 16 } } },
    // Keyboard focus must be unmistakable (a faint tint alone reads like hover or selection).
    MuiListItemButton: {
      styleOverrides: {
        root: {
          '&.Mui-focusVisible': { outline: '2px solid currentColor', outlineOffset: -2 },
        },
      },
    },
  },
});
