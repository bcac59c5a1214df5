// A Go plugin response hook: runs on the upstream's response (never on the
// gateway's own error answers, as in Tyk) and may change its status, headers
// and body. The body is read whole for the plugin; Content-Length follows it.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { GatewayContext } from "../../gateway/state.ts";
import type { PluginSlot } from "../../registry/types.ts";
import { type PluginCallDeps, runPlugin } from "../go-plugin/call.ts";
import { callRequest, headerPairs } from "../go-plugin/request.ts";
import { hasNoBody } from "../../proxy/index.ts";

export type ResponseStep = (c: GatewayContext, upstream: Response) => Promise<Response>;

export interface ResponsePluginOptions extends PluginCallDeps {
  slot: PluginSlot;
}

export function responsePlugin(opts: ResponsePluginOptions): ResponseStep {
  const { slot } = opts;
  return async function responsePluginStep(c, upstream) {
    const st = c.var.gw;
    if (!slot.ok) return tykError(500, TykMessage.internal);
    const body = new Uint8Array(await upstream.arrayBuffer());
    const req = { ...(await callRequest(st)), response: { status: upstream.status, headers: headerPairs(upstream.headers), body } };
    const r = await runPlugin(opts, slot.plugin, "response", st, req);
    if (r instanceof Response) return r;
    const outHeaders = r.resHeaders ? new Headers(r.resHeaders) : new Headers(upstream.headers);
    const outBody = r.resBody ?? body;
    if (r.resBody) outHeaders.set("content-length", String(outBody.length));
    outHeaders.delete("transfer-encoding");
    const status = r.resStatus ?? upstream.status;
    const empty = hasNoBody(st.method, status);
    return new Response(empty ? null : (outBody as Uint8Array<ArrayBuffer>), { status, headers: outHeaders });
  };
}
