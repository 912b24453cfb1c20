/** The original's 10-entry colour table (PROTOCOL.md 7.4): light and dark tones. */
export const COLORS: readonly { light: string; dark: string; name: string }[] = [
  { name: 'red', light: '#EF9A9A', dark: '#F44336' },
  { name: 'pink', light: '#F48FB1', dark: '#E91E63' },
  { name: 'purple', light: '#CE93D8', dark: '#9C27B0' },
  { name: 'deep purple', light: '#B39DDB', dark: '#673AB7' },
  { name: 'indigo', light: '#9FA8DA', dark: '#3F51B5' },
  { name: 'blue', light: '#90CAF9', dark: '#2196F3' },
  { name: 'cyan', light: '#80DEEA', dark: '#00BCD4' },
  { name: 'teal', light: '#80CBC4', dark: '#009688' },
  { name: 'green', light: '#A5D6A7', dark: '#4CAF50' },
  { name: 'orange', light: '#FFCC80', dark: '#FF9800' },
];

/** The original's name hash: 32-bit `h = h*31 + charCode`, absolute value. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/**
 * Colour index from an untrusted `preferred_color` attribute: only "0".."9" count; anything
 * else (negative, non-numeric, huge) falls back to the name hash instead of breaking render.
 */
export function colorIndex(attribute: string | undefined, name: string): number {
  if (attribute !== undefined && /^[0-9]$/.test(attribute)) return Number(attribute);
  return nameHash(name) % COLORS.length;
}
