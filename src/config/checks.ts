// Field checks shared by the Classic and OAS definition schemas (a module of
// its own, so that neither schema imports the other at load time).
import type { z } from "zod";
import { routedForm } from "../gateway/request-path.ts";

/**
 * A listen path starts with "/" and is not under /tyk/, the Gateway API (in
 * any spelling: "/tyk", "/tyk/../tyk/x", "/%74yk/"), where it would take the
 * admin secret and forward it upstream.
 */
export function checkListenPath(p: string, ctx: z.core.$RefinementCtx<string>): void {
  if (!p.startsWith("/")) {
    ctx.addIssue({ code: "custom", message: `must start with "/", got ${JSON.stringify(p)}` });
    return;
  }
  const routed = routedForm(p);
  if (routed === undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} has a malformed %-escape` });
  else if (/^\/tyk(\/|$)/.test(routed)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} is under /tyk/, the Gateway API's path` });
  // Requests with these in their decoded path are refused (request-path.ts), or reach it only double-encoded.
  else if (/[\x00-\x1f\x7f\\%]/.test(routed)) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} decodes to a control character, a backslash or a literal "%"` });
  }
}

export function checkHttpUrl(v: string, ctx: z.core.$RefinementCtx<string>): void {
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (url?.protocol === "http:" || url?.protocol === "https:") return;
  const hint = url?.protocol === "tyk:" ? " (tyk:// internal looping targets are not supported)" : "";
  ctx.addIssue({ code: "custom", message: `expected an http:// or https:// URL, got ${JSON.stringify(v)}${hint}` });
}
