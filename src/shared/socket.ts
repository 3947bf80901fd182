/**
 * Close codes the server ends a WebSocket with, so a client (the web app, the SDK, the CLI) can tell why. Stock
 * tRPC clients reconnect after any of them and resume each room stream from its last event id.
 */
export const socketCloseCodes = {
  /** This instance is shutting down (a deploy, a restart): reconnect, to another instance if there is one. */
  serviceRestart: 1012,
  /** The session or token behind the socket ended (logout, password change, ban, expiry). */
  sessionEnded: 4401,
  /** The client read too slowly: more than WS_MAX_BUFFERED_BYTES waited unsent. Reconnect and resume. */
  tooSlow: 4408,
  /** Too many sockets or calls. */
  tooManyConnections: 4429,
} as const;
