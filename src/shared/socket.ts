/**
 * Close codes the server ends a WebSocket with, so a client (the web app, the SDK, the CLI) can tell why. Stock
 * tRPC clients reconnect after any of them and resume each room stream from its last event id.
 */
export const socketCloseCodes = {
  /** This instance is shutting down (a deploy, a restart): reconnect, to another instance if there is one. */
  serviceRestart: 1012,
  /** The session or token behind the socket ended (logout, password change, ban, expiry), or was never valid. */
  sessionEnded: 4401,
  /** The client read too slowly: more than WS_MAX_BUFFERED_BYTES waited unsent. Reconnect and resume. */
  tooSlow: 4408,
  /**
   * A socket opened with `?connectionParams=1` sent none within WS_CONNECTION_PARAMS_TIMEOUT_MS: the same code, in
   * HTTP's sense of 408 (Request Timeout); the reason says which.
   */
  paramsTimeout: 4408,
  /** Too many sockets (per user, or signed out per address) or calls on this one (WS_CALLS_PER_MINUTE). */
  tooManyConnections: 4429,
} as const;
