import { Box } from '@mui/material';
import { useEffect, useRef } from 'react';

/** The peer list's width on wide screens: 360 px at first, as the original (PROTOCOL.md 7.1). */
export const PANEL_WIDTH = 360;
export const PANEL_MIN = 240;
const KEY_STEP = 16;

/** At most 80 % of the window, as the original; never below the minimum. */
export function clampPanel(width: number): number {
  const max = Math.max(PANEL_MIN, Math.floor(window.innerWidth * 0.8));
  return Math.round(Math.min(max, Math.max(PANEL_MIN, width)));
}

/**
 * The handle on the peer list's right edge (PROTOCOL.md 7.1: the original's panel is resized by
 * dragging an invisible 6 px handle). A separator the keyboard can move too (arrows, Home, End);
 * it shows a line while hovered, dragged or focused.
 */
export function PanelResizer({
  width,
  onWidth,
}: {
  width: number;
  onWidth: (width: number) => void;
}) {
  const stopDrag = useRef<(() => void) | null>(null);
  useEffect(() => () => stopDrag.current?.(), []);
  const max = Math.max(PANEL_MIN, Math.floor(window.innerWidth * 0.8));
  return (
    <Box
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the peer list"
      aria-valuenow={width}
      aria-valuemin={PANEL_MIN}
      aria-valuemax={max}
      tabIndex={0}
      onKeyDown={(e) => {
        const next =
          e.key === 'ArrowLeft'
            ? width - KEY_STEP
            : e.key === 'ArrowRight'
              ? width + KEY_STEP
              : e.key === 'Home'
                ? PANEL_MIN
                : e.key === 'End'
                  ? max
                  : null;
        if (next === null) return;
        e.preventDefault();
        onWidth(clampPanel(next));
      }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        stopDrag.current?.();
        const startX = e.clientX;
        const startWidth = width;
        const move = (ev: PointerEvent) => onWidth(clampPanel(startWidth + ev.clientX - startX));
        const stop = () => {
          window.removeEventListener('pointermove', move);
          window.removeEventListener('pointerup', stop);
          window.removeEventListener('pointercancel', stop);
          document.body.style.removeProperty('cursor');
          document.body.style.removeProperty('user-select');
          stopDrag.current = null;
        };
        window.addEventListener('pointermove', move);
        window.addEventListener('pointerup', stop);
        window.addEventListener('pointercancel', stop);
        // The whole page shows the resize cursor and selects no text while dragging.
        document.body.style.cursor = 'col-resize';
        document.body.style.userSelect = 'none';
        stopDrag.current = stop;
      }}
      sx={{
        position: 'absolute',
        top: 0,
        bottom: 0,
        right: -3,
        width: 6,
        zIndex: 1,
        cursor: 'col-resize',
        touchAction: 'none',
        outline: 'none',
        '&:hover, &:focus-visible, &:active': { bgcolor: 'primary.main' },
      }}
    />
  );
}
