// Go plugin response hooks: all of an API's run in one entry into Go on the
// upstream's response (never on the gateway's own error answers, as in Tyk),
// with the request the upstream received as their `req`. They may change
// the response's status, headers and body (Content-Length follows), or write
// an answer of their own. The answer is held in memory for them, up to
// bodyLimits.response (Tyk's max_response_body_size): over it the client
// gets Tyk's 500 "Response body too large" and the rest is never read (503
// when the bodies held by all requests leave no room for it).

import { BodyBudgetError, BodyTooLargeError, declaredLength, readHeldBody } from "../../gateway/body.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { GatewayContext } from "../../gateway/state.ts";
import { hasNoBody } from "../../proxy/index.ts";
import type { PluginSlot } from "../../registry/types.ts";
import { type PluginCallDeps, runHooks } from "../go-plugin/call.ts";
import { planRun } from "../go-plugin/index.ts";
import { applySessionChanges, pluginResponse } from "../go-plugin/request.ts";

export type ResponseStep = (c: GatewayContext, upstream: Response) => Promise<Response>;

export interface ResponsePluginsOptions extends PluginCallDeps {
  slots: PluginSlot[];
}

export function responsePlugins(opts: ResponsePluginsOptions): ResponseStep {
  const { steps: plugins, broken } = planRun(opts.slots.map((slot) => ({ slot })));
  return async function responsePluginsStep(c, upstream) {
    const st = c.var.gw;
    if (plugins.length === 0) {
      await upstream.body?.cancel().catch(() => {});
      return tykError(500, TykMessage.internal);
    }
    let body: Uint8Array = new Uint8Array(0);
    try {
      if (upstream.body) {
        body = await readHeldBody(upstream.body, st.bodyLimits.response, st.hold, "cancel", declaredLength(upstream.headers.get("content-length")));
      }
    } catch (err) {
      if (err instanceof BodyTooLargeError) return tykError(500, "Response body too large");
      if (err instanceof BodyBudgetError) return tykError(503, "Service Unavailable");
      throw err;
    }
    const headers: Array<[string, string]> = [];
    upstream.headers.forEach((v, k) => headers.push([k, v]));
    const r = await runHooks(opts, "response", st, plugins, { upstream: st.upstream, response: { status: upstream.status, headers, body } }, c.req.raw.signal);
    if (r instanceof Response) return r;
    // Read later for analytics; as in Tyk, a store write asked for this late is not made.
    applySessionChanges(st, r, () => opts.driver.session(st.goRequest));
    if (r.responded) return pluginResponse(st, r.responded);
    if (broken) return tykError(500, TykMessage.internal);
    const outHeaders = r.resHeaders ? new Headers(r.resHeaders) : new Headers(upstream.headers);
    for (const [k, v] of r.rwHeaders ?? []) outHeaders.append(k, v);
    const outBody = r.resBody ?? body;
    if (r.resBody) outHeaders.set("content-length", String(outBody.length));
    outHeaders.delete("transfer-encoding");
    const status = r.resStatus ?? upstream.status;
    const empty = hasNoBody(st.method, status);
    return new Response(empty ? null : (outBody as Uint8Array<ArrayBuffer>), { status, headers: outHeaders });
  };
}
