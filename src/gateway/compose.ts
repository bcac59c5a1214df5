// Runs an API's chain: each middleware gets `next`, which runs the rest and
// resolves to its Response. Calling next twice is a bug and throws.
import type { GatewayContext, GatewayMiddleware } from "./state.ts";

export type Chain = (c: GatewayContext) => Promise<Response>;

export function compose(middleware: GatewayMiddleware[], last: (c: GatewayContext) => Promise<Response>): Chain {
  return (c) => {
    let index = -1;
    const dispatch = (i: number): Promise<Response> => {
      if (i <= index) return Promise.reject(new Error("next() called twice"));
      index = i;
      return i === middleware.length ? last(c) : middleware[i](c, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
