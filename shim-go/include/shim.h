/*
 * shim.h: the one C ABI between the TypeScript gateway (ffi/) and the Go shim.
 *
 * Every rule of the boundary is here; ffi/abi.ts mirrors it and a test checks
 * the two agree. The shim refuses nothing silently: every call returns a
 * shim_status, and any text it has to say comes back in the caller's buffer.
 *
 * Conventions
 * - Handles, never pointers: plugins, APIs and requests are uint32 ids in
 *   Go-side tables; 0 is never a valid handle. uint32 rather than uint64 because both FFIs pass
 *   32-bit integers as plain JS numbers, while 64-bit ones become BigInt on the
 *   hot path.
 * - Call ids are chosen by the caller (unique among calls in flight).
 * - Ownership is in the names: `in`/`in_len` (not const only because cgo
 *   cannot say so, and this header is compiled against the Go exports) are borrowed for the duration of
 *   the call only (Go copies what it keeps). `out`/`out_cap` is a buffer the
 *   caller owns; the shim writes at most out_cap bytes and always sets
 *   *out_len to the full size of its answer. When *out_len > out_cap the call
 *   returns SHIM_E_BUFFER and parks the answer under the call id: fetch it with
 *   shim_result_take into a buffer of at least *out_len bytes.
 * - The shim keeps no pointer into caller memory after a call returns.
 */
#ifndef TYKGW_SHIM_H
#define TYKGW_SHIM_H

#include <stdint.h>

/* Bump on any change to a signature, a status, a kind or a wire layout. */
#define SHIM_ABI_VERSION 5

typedef enum {
  SHIM_OK = 0,
  SHIM_PENDING = 1,     /* the run goes on on a worker; its call id is queued when it ends */
  SHIM_E_GONE = 2,      /* unknown or released handle / call id */
  SHIM_E_BAD_STATE = 3, /* e.g. a call id already in use */
  SHIM_E_PANIC = 4,     /* the shim itself failed; out holds the report (a plugin's panic is in the result frame) */
  SHIM_E_LOAD = 5,      /* plugin could not be opened or its symbol used; out holds why */
  SHIM_E_BAD_INPUT = 6, /* malformed input; out holds why */
  SHIM_E_BUFFER = 7,    /* answer larger than out_cap; see shim_result_take */
  SHIM_E_BUSY = 8       /* too many abandoned runs are still running (plugins stuck): run refused, try later */
} shim_status;

typedef enum {
  SHIM_KIND_REQUEST = 1,  /* func(http.ResponseWriter, *http.Request) */
  SHIM_KIND_RESPONSE = 2, /* func(http.ResponseWriter, *http.Response, *http.Request) */
  SHIM_KIND_ANALYTICS = 3 /* func(*analytics.AnalyticsRecord), Tyk Pump's record: an API's analytics_plugin */
} shim_kind;

/* Called from a Go thread when handed-off runs have ended and wait in the
 * completion queue (once per batch, not per run; the argument carries no
 * meaning). It must only enqueue: the gateway then takes the results with
 * shim_completions_take. */
typedef void (*shim_on_complete)(uint32_t unused);

uint32_t shim_abi_version(void);

/* JSON: {"abi":5,"go":"go1.26.x","module":...,"deps":[{"path","version","sum"}],"settings":{...}} */
int32_t shim_info(uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* Sets the completion callback and the plugin log level ("debug", "info", ...).
 * From then on what Go code prints to os.Stdout arrives as log records
 * (shim_logs_drain), so the host's stdout carries only what the host writes.
 *
 * Call slots: when the environment variable TYKGW_CALL_SLOTS names a file,
 * the shim creates (or empties) it, maps it shared, and marks in it every
 * plugin call while it runs, so that whoever started the process can name
 * the calls it was in after it died (a plugin's os.Exit leaves no other
 * trace). Layout, little-endian: "TYKGWCS1", u32 slot count, u32 slot size,
 * then the slots; a slot is u32 state (1: in a call, else idle), u32 text
 * length, then the text, "<plugin path>:<symbol>" or "<plugin path> (init)",
 * cut to the slot. Each Go worker owns one slot; workers past the count, and
 * plugin inits overlapping another init, are not all recorded. */
int32_t shim_init(shim_on_complete on_complete, uint8_t *level, uint32_t level_len);

/* in: JSON {"path","symbol","kind"[,"init_timeout_ms"]}. On success *out_handle is
 * set and out holds JSON facts about the plugin; on SHIM_E_LOAD out holds the
 * reason in words. Each build (by content) is opened once, its init on a
 * goroutine of its own; a failed open is remembered and answered again at
 * once. The call waits at most init_timeout_ms (default 30 s) for the init:
 * past it, SHIM_E_LOAD now, and the build loads once its init has returned. */
int32_t shim_plugin_load(uint8_t *in, uint32_t in_len, uint32_t *out_handle,
                         uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* in: a plugin file path. out: JSON report {"ok":bool,"problems":[...],...}
 * saying whether the file would load in this shim, without opening it. */
int32_t shim_plugin_check(uint8_t *in, uint32_t in_len,
                          uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* in: JSON {"kind":"classic"|"oas","definition":{...}}. The shim parses it once
 * into Tyk's apidef.APIDefinition or oas.OAS, which plugins then read through
 * ctx.GetDefinition / ctx.GetOASDefinition. */
int32_t shim_api_register(uint8_t *in, uint32_t in_len, uint32_t *out_handle,
                          uint8_t *out, uint32_t out_cap, uint32_t *out_len);
int32_t shim_api_release(uint32_t api);

/*
 * Requests. One HTTP request that reaches a Go hook is one live Go
 * *http.Request in the shim, shared by every hook of that request (its
 * context, URL, header map, body and session), as in Tyk. Its life:
 *   1. The first run passes request = 0 and a frame with an open section:
 *      the shim builds the request and sets *out_request to its handle.
 *   2. Every later run passes that handle and a frame with only what the
 *      gateway changed since (wire layout in shim-go/wire.go, ffi/wire.ts).
 *      A request runs one run at a time (SHIM_E_BAD_STATE otherwise).
 *   3. shim_requests_release ends it, however the request ended (answered,
 *      error, client gone, timed out). Its context is cancelled at once; a
 *      run still going (a timed-out hook) keeps it until that run ends, and
 *      then it is freed. A released handle answers SHIM_E_GONE.
 *
 * A run executes the frame's hooks in order on a worker goroutine; no plugin
 * code runs on the calling thread, which is never made to wait: it only
 * checks the handle and copies the frame (building the request is the
 * worker's). An accepted run answers SHIM_PENDING at once and starts at the
 * next shim_runs_start (the caller starts the runs it accepted in one turn
 * of its event loop together: waking an idle worker is a system call, and a
 * batch needs one); when it ends its
 * result joins the completion queue (on_complete, shim_completions_take)
 * with status SHIM_OK (a plugin's panic ends the run and is reported in the
 * frame), or SHIM_E_BAD_INPUT with the reason when the frame could not be
 * applied. A run refused at once (unknown handle, a frame that does not fit
 * the handle, busy) answers its error now, with the reason in out.
 * *out_request is set whenever a handle exists, also on failure.
 */
int32_t shim_request_run(uint32_t api, uint32_t request, uint32_t call_id,
                         uint8_t *in, uint32_t in_len, uint32_t *out_request,
                         uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* Ends n requests (see above); unknown or released handles are skipped. The
 * gateway gathers the requests that ended since it last entered the shim:
 * one entry for many. Returns how many were open. */
uint32_t shim_requests_release(uint32_t *requests, uint32_t n);

/* Ends the n requests in release (as shim_requests_release), then starts the
 * runs shim_request_run accepted since the last call, in the order accepted.
 * Returns how many runs it started. A run is never started otherwise: the
 * caller must call this after accepting runs. */
uint32_t shim_runs_start(uint32_t *release, uint32_t n);

/* The request's session as it is now (Tyk's user.SessionState JSON; empty
 * when it has none), for a gateway step that needs it after a run reported
 * it touched. SHIM_E_BAD_STATE while a run is going, SHIM_E_GONE for an
 * unknown or released handle; SHIM_E_BUFFER: call again with *out_len bytes. */
int32_t shim_request_session(uint32_t request, uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* How many request handles are alive (open, or released with a run still going). */
uint32_t shim_requests_open(void);

/* Analytics plugins. in: a batch of analytics records, each with the
 * handle of the SHIM_KIND_ANALYTICS plugin to run on it (wire layout in
 * shim-go/analytics.go). The batch runs on a worker as a request run does:
 * SHIM_PENDING at once, then its result frame (each record's plugin time,
 * logs and panic, and the record only when its plugin changed it) joins the
 * completion queue under call_id, and shim_call_abandon gives up on it. A
 * record that cannot be used, or whose plugin panics, comes back unchanged
 * and affects no other. Refused at once: SHIM_E_BAD_STATE (call id in use),
 * SHIM_E_BUSY (as shim_request_run), with the reason in out. */
int32_t shim_analytics_run(uint32_t call_id, uint8_t *in, uint32_t in_len,
                           uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* Moves ended runs from the completion queue into out, in order, as records
 *   u32 call_id, i32 status, u32 len, then len bytes of result frame
 * for as many as fit; *out_len is the bytes written. A result larger than
 * the whole buffer comes as a record with status SHIM_E_BUFFER, len the size
 * it needs and no bytes: it stays parked for shim_result_take. Returns
 * SHIM_OK when the queue is now empty (which re-arms on_complete), or
 * SHIM_E_BUFFER when results are left: call again. */
int32_t shim_completions_take(uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* Copies a parked answer into out and forgets it (SHIM_E_BUFFER keeps it). */
int32_t shim_result_take(uint32_t call_id, uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/* The caller gave up on a handed-off run: its result is dropped when it ends. */
int32_t shim_call_abandon(uint32_t call_id);

/* Log records written outside any call (plugin init, background goroutines):
 * a log frame, as in a result frame. */
int32_t shim_logs_drain(uint8_t *out, uint32_t out_cap, uint32_t *out_len);

#endif
