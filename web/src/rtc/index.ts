export { TincanClient, resolveUrls, type ClientOptions } from './client';
export type { AppState, ChatItem, FileView, PeerView, DeliveryStatus } from './state';
export { FILE_PREVIEW_MARKS } from './state';
export type { SignallingStatus } from './signalling-client';
export type { RtcError } from './emitter';
export type { Progress } from './file-transfer';
export type { Store } from './store';
