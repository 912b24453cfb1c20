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
  },
});
