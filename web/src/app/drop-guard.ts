/**
 * Files dropped where nothing takes them (outside the conversation pane, on a peer that cannot
 * receive files, on the connect screen) would make the browser open the file in this tab,
 * leaving the app and closing every connection. Window listeners run after the page's own
 * handlers: a drop zone that took the drag has already called preventDefault; anything else is
 * refused here ("none" cursor, no navigation).
 */
export function installDropGuard(target: Window = window): () => void {
  const hasFiles = (e: DragEvent) => !!e.dataTransfer?.types.includes('Files');
  const over = (e: DragEvent) => {
    if (e.defaultPrevented || !hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  };
  const drop = (e: DragEvent) => {
    if (hasFiles(e)) e.preventDefault();
  };
  target.addEventListener('dragover', over);
  target.addEventListener('drop', drop);
  return () => {
    target.removeEventListener('dragover', over);
    target.removeEventListener('drop', drop);
  };
}
