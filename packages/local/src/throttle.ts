/**
 * Stage throttling like API Gateway: a token bucket per route (the stage's
 * `DefaultRouteSettings`, overridden by `RouteSettings` for a route key). A request
 * without a token gets 429 `{"message":"Too Many Requests"}`.
 */
import type { ThrottleConfig, ThrottleLimits } from "./template.js";

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limits: ThrottleLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burstLimit;
    this.last = clock();
  }

  take(): boolean {
    const t = this.clock();
    const { rateLimit, burstLimit } = this.limits;
    this.tokens = Math.min(burstLimit, this.tokens + ((t - this.last) / 1000) * rateLimit);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Throttler {
  private readonly buckets = new Map<string, TokenBucket | null>();

  constructor(
    private readonly config: ThrottleConfig,
    private readonly clock?: () => number,
  ) {}

  /** true when the request may proceed */
  allow(routeKey: string): boolean {
    let b = this.buckets.get(routeKey);
    if (b === undefined) {
      const limits = this.config.routes[routeKey] ?? this.config.default;
      b = limits ? new TokenBucket(limits, this.clock) : null;
      this.buckets.set(routeKey, b);
    }
    return b === null ? true : b.take();
  }
}
