import { createTheme } from '@mui/material';

export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: { palette: { background: { default: '#f5f5f5', paper: '#ffffff' } } },
    dark: true,
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
