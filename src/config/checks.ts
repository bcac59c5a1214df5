// Field checks shared by the Classic and OAS definition schemas (a module of
// its own, so that neither schema imports the other at load time).
import type { z } from "zod";

export function checkListenPath(p: string, ctx: z.core.$RefinementCtx<string>): void {
  if (!p.startsWith("/")) ctx.addIssue({ code: "custom", message: `must start with "/", got ${JSON.stringify(p)}` });
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
