export type CallDecision =
  | { allowed: true }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /** The socket kept calling until it owed a whole budget: it is closed, not just refused. */
      abusive: boolean;
    };

/**
 * One socket's budget of calls: a token bucket holding `perMinute` calls, refilled continuously. It lives on the
 * connection, in memory: a socket is served by one instance, so counting there costs no round trip to Redis.
 * A refused call still counts, as debt: a client that waits as told is soon served again, one that keeps hammering
 * reaches a whole budget of debt and is cut off.
 */
export class CallBudget {
  private tokens: number;
  private updatedAt = Date.now();

  constructor(private readonly perMinute: number) {
    this.tokens = perMinute;
  }

  take(now = Date.now()): CallDecision {
    const refill = ((now - this.updatedAt) * this.perMinute) / 60_000;
    this.tokens = Math.min(this.perMinute, this.tokens + refill) - 1;
    this.updatedAt = now;
    if (this.tokens >= 0) return { allowed: true };
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((-this.tokens * 60) / this.perMinute)),
      abusive: this.tokens <= -this.perMinute,
    };
  }
}
