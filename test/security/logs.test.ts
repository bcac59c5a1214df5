// Logs stay parseable and proportionate (issue 9, item 10): every line on
// stdout is one JSON record, whatever plugins print; a client aborting its
// upload to a plugin API costs one warning, not an error with a stack.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { stopWithin } from "../helpers/stop.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;

before(async () => {
  up = await startUpstream();
  const goplugin = (name: string, path: string) => ({
    custom_middleware: { driver: "goplugin", pre: [{ name, path }] },
  });
  gw = await startGatewayProcess({}, [
    keylessApi("printer", "/printer/", up.url, goplugin("Print", plugins.printer)),
    keylessApi("upload", "/upload/", up.url, goplugin("AddFooBarHeader", plugins.addheader)),
  ]);
});

after(async () => {
  await stopWithin(gw);
  await up.close();
});

const msg = (l: Record<string, unknown>) => String(l.msg);

test("logs: what plugins print to stdout becomes JSON records; stdout has no other line", async () => {
  const init = await gw.waitForLog((l) => msg(l) === "printer: hello from init");
  assert.equal(init.stream, "stdout");
  assert.equal(init.source, "plugin");
  const res = await fetch(`${gw.url}/printer/x`);
  assert.equal(res.status, 200);
  await res.text();
  await gw.waitForLog((l) => msg(l) === "printer: GET /printer/x" && l.stream === "stdout");
  const long = await gw.waitForLog((l) => msg(l).startsWith("printer: long xxx"));
  assert.equal(long.cut, true, "a line too long to keep is cut, and says so");
  assert.equal(msg(long).length, 16 << 10);
  // The standard library's log writes to stderr, as in Tyk; stdout stays JSON.
  assert.match(gw.stderr, /printer: standard log/);
  assert.deepEqual(gw.logs.filter((l) => l.nonJson), [], "every stdout line parses as JSON");
});

/** Sends the start of a 1 MB upload, then drops the connection. */
function abortedUpload(port: number): Promise<void> {
  return new Promise((done) => {
    const s = connect(port, "127.0.0.1", () => {
      s.write(`POST /upload/file HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n${"a".repeat(65536)}`, () => {
        setTimeout(() => (s.destroy(), done()), 20);
      });
    });
    s.on("error", () => done());
  });
}

test("logs: an aborted upload to a plugin API logs one warning, no error and no stack", async () => {
  const start = gw.logs.length;
  const n = 20;
  for (let i = 0; i < n; i++) await abortedUpload(gw.port);
  const about = () => gw.logs.slice(start).filter((l) => Number(l.level) >= 40 && l.api_id === "upload");
  await gw.waitForLog(() => about().length >= n);
  await new Promise((r) => setTimeout(r, 200)); // anything more it would log
  const recs = about();
  assert.equal(recs.length, n, "one record per aborted upload");
  for (const r of recs) {
    assert.equal(r.level, 40, JSON.stringify(r));
    assert.equal(r.msg, "the client's request body broke off; request dropped");
    assert.doesNotMatch(JSON.stringify(r), /\\n\s+at /, "no stack");
  }
  const res = await fetch(`${gw.url}/upload/x`);
  assert.equal(res.status, 200, "the API still serves");
  await res.text();
});
