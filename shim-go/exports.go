package main

// The C ABI of include/shim.h. Each export is thin: it converts arguments,
// recovers any panic into SHIM_E_PANIC, and leaves the work to other files.

/*
#include <stdlib.h>
#include "include/shim.h"
void shim_fire(shim_on_complete f, uint32_t call_id);
*/
import "C"

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	"unsafe"
)

const (
	statusOK       = int32(C.SHIM_OK)
	statusPending  = int32(C.SHIM_PENDING)
	statusGone     = int32(C.SHIM_E_GONE)
	statusBadState = int32(C.SHIM_E_BAD_STATE)
	statusPanic    = int32(C.SHIM_E_PANIC)
	statusLoad     = int32(C.SHIM_E_LOAD)
	statusBadInput = int32(C.SHIM_E_BAD_INPUT)
	statusBuffer   = int32(C.SHIM_E_BUFFER)
	statusBusy     = int32(C.SHIM_E_BUSY)
	shimABIVersion = uint32(C.SHIM_ABI_VERSION)
)

// borrow views caller memory for the duration of a call only.
func borrow(p *C.uint8_t, n C.uint32_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// answer copies data into the caller's buffer, or parks it under id when it
// does not fit (id 0: nowhere to park, the caller must retry bigger).
func answer(id uint32, status int32, data []byte, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) C.int32_t {
	if outLen != nil {
		*outLen = C.uint32_t(len(data))
	}
	if len(data) > int(outCap) {
		if id != 0 {
			parkedMu.Lock()
			parked[id] = &parkedCall{done: true, status: status, frame: data}
			parkedMu.Unlock()
		}
		return C.int32_t(statusBuffer)
	}
	copy(borrow(out, outCap), data)
	return C.int32_t(status)
}

func recoverInto(status *C.int32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) {
	if r := recover(); r != nil {
		msg := fmt.Sprintf("shim panic: %v\n%s", r, debug.Stack())
		*status = answer(0, statusPanic, []byte(msg), out, outCap, outLen)
	}
}

//export shim_abi_version
func shim_abi_version() C.uint32_t { return C.uint32_t(shimABIVersion) }

//export shim_info
func shim_info(out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	b, _ := json.Marshal(shimInfo())
	return answer(0, statusOK, b, out, outCap, outLen)
}

var onComplete C.shim_on_complete

//export shim_init
func shim_init(cb C.shim_on_complete, level *C.uint8_t, levelLen C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, nil, 0, nil)
	onComplete = cb
	// Loading Go un-ignores SIGPIPE in the host (Deno and Bun ignore it): a
	// client closing its socket mid-response would then kill the gateway.
	signal.Ignore(syscall.SIGPIPE)
	initLogging(string(borrow(level, levelLen)))
	captureStdout()
	openCallSlots()
	return C.int32_t(statusOK)
}

type loadRequest struct {
	Path   string `json:"path"`
	Symbol string `json:"symbol"`
	Kind   uint32 `json:"kind"`
	// How long to wait for the plugin's init; 0: defaultInitTimeout.
	InitTimeoutMs uint32 `json:"init_timeout_ms"`
}

//export shim_plugin_load
func shim_plugin_load(in *C.uint8_t, inLen C.uint32_t, handle *C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	var req loadRequest
	if err := json.Unmarshal(borrow(in, inLen), &req); err != nil {
		return answer(0, statusBadInput, []byte("plugin load request: "+err.Error()), out, outCap, outLen)
	}
	initTimeout := time.Duration(req.InitTimeoutMs) * time.Millisecond
	if initTimeout == 0 {
		initTimeout = defaultInitTimeout
	}
	h, err := loadPlugin(req.Path, req.Symbol, req.Kind, initTimeout)
	if err != nil {
		return answer(0, statusLoad, []byte(err.Error()), out, outCap, outLen)
	}
	*handle = C.uint32_t(h)
	p := plugins.get(h)
	b, _ := json.Marshal(map[string]string{"path": p.path, "symbol": p.symbol})
	return answer(0, statusOK, b, out, outCap, outLen)
}

//export shim_plugin_check
func shim_plugin_check(in *C.uint8_t, inLen C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	b, _ := json.Marshal(checkPlugin(string(borrow(in, inLen))))
	return answer(0, statusOK, b, out, outCap, outLen)
}

//export shim_api_register
func shim_api_register(in *C.uint8_t, inLen C.uint32_t, handle *C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	h, err := registerAPI(borrow(in, inLen))
	if err != nil {
		return answer(0, statusBadInput, []byte(err.Error()), out, outCap, outLen)
	}
	*handle = C.uint32_t(h)
	return answer(0, statusOK, nil, out, outCap, outLen)
}

//export shim_api_release
func shim_api_release(api C.uint32_t) C.int32_t {
	if !apis.clear(uint32(api)) {
		return C.int32_t(statusGone)
	}
	return C.int32_t(statusOK)
}

//export shim_request_run
func shim_request_run(api, request, callID C.uint32_t, in *C.uint8_t, inLen C.uint32_t, outRequest *C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	frame := borrow(in, inLen)
	if len(frame) < 4 {
		return answer(0, statusBadInput, []byte("run frame truncated"), out, outCap, outLen)
	}
	h, lr, status, msg := claimRun(uint32(api), uint32(request), binary.LittleEndian.Uint32(frame))
	// Whenever a handle exists the caller gets it, to release it, also when the run is refused.
	if h != 0 {
		*outRequest = C.uint32_t(h)
	}
	if lr == nil {
		return answer(0, status, []byte(msg), out, outCap, outLen)
	}
	id := uint32(callID)
	frame = bytes.Clone(frame) // the input is borrowed for this call only
	res := handOff(id, &lr.logs, true, func(slot *callSlot) (int32, []byte) { return lr.run(h, frame, slot) })
	if res == handedOff {
		return C.int32_t(statusPending)
	}
	// The hooks never ran: the request is left as it was.
	done(h, lr)
	st, why := refusal(res, id)
	return answer(0, st, why, out, outCap, outLen)
}

// refusal is the status and reason of a run that was not handed off.
func refusal(res handOffResult, id uint32) (int32, []byte) {
	if res == idInUse {
		return statusBadState, []byte(fmt.Sprintf("call id %d is already in use", id))
	}
	return statusBusy, []byte(fmt.Sprintf("%d abandoned plugin runs are still running: refusing new runs until some end", maxAbandonedRunning))
}

//export shim_analytics_run
func shim_analytics_run(callID C.uint32_t, in *C.uint8_t, inLen C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	id := uint32(callID)
	frame := bytes.Clone(borrow(in, inLen)) // the input is borrowed for this call only
	logs := &callLogs{}
	res := handOff(id, logs, false, func(slot *callSlot) (int32, []byte) { return runAnalytics(frame, logs, slot) })
	if res == handedOff {
		return C.int32_t(statusPending)
	}
	st, why := refusal(res, id)
	return answer(0, st, why, out, outCap, outLen)
}

//export shim_requests_release
func shim_requests_release(requests *C.uint32_t, n C.uint32_t) C.uint32_t {
	return C.uint32_t(releaseRequests(requests, n))
}

//export shim_runs_start
func shim_runs_start(release *C.uint32_t, n C.uint32_t) C.uint32_t {
	releaseRequests(release, n)
	return C.uint32_t(startHeld())
}

// releaseRequests ends the n requests at requests (borrowed) and says how many were open.
func releaseRequests(requests *C.uint32_t, n C.uint32_t) int {
	if requests == nil || n == 0 {
		return 0
	}
	released := 0
	for _, h := range unsafe.Slice((*uint32)(unsafe.Pointer(requests)), int(n)) {
		if releaseRequest(h) {
			released++
		}
	}
	return released
}

//export shim_request_session
func shim_request_session(request C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	h := uint32(request)
	lr, status, msg := acquire(h)
	if lr == nil {
		return answer(0, status, []byte(msg), out, outCap, outLen)
	}
	defer done(h, lr)
	b, _ := lr.sessionJSON()
	return answer(0, statusOK, b, out, outCap, outLen)
}

//export shim_requests_open
func shim_requests_open() C.uint32_t { return C.uint32_t(openRequests()) }

//export shim_result_take
func shim_result_take(callID C.uint32_t, out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	id := uint32(callID)
	parkedMu.Lock()
	pc, ok := parked[id]
	if ok && pc.done && len(pc.frame) <= int(outCap) {
		delete(parked, id)
	}
	parkedMu.Unlock()
	switch {
	case !ok:
		return answer(0, statusGone, nil, out, outCap, outLen)
	case !pc.done:
		return answer(0, statusBadState, []byte("call still running"), out, outCap, outLen)
	}
	return answer(0, pc.status, pc.frame, out, outCap, outLen)
}

//export shim_call_abandon
func shim_call_abandon(callID C.uint32_t) C.int32_t {
	if !abandon(uint32(callID)) {
		return C.int32_t(statusGone)
	}
	return C.int32_t(statusOK)
}

//export shim_completions_take
func shim_completions_take(out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) C.int32_t {
	n, more := takeResults(borrow(out, outCap))
	if outLen != nil {
		*outLen = C.uint32_t(n)
	}
	if more {
		return C.int32_t(statusBuffer)
	}
	return C.int32_t(statusOK)
}

//export shim_logs_drain
func shim_logs_drain(out *C.uint8_t, outCap C.uint32_t, outLen *C.uint32_t) (rc C.int32_t) {
	defer recoverInto(&rc, out, outCap, outLen)
	recs := orphans.take()
	// As many as fit the caller's buffer (at least one); the rest wait for the next drain.
	n, size := 0, 4
	for n < len(recs) {
		r := recs[n]
		next := size + 4 + 8 + 4 + len(r.msg) + 4 + len(r.fields) + 4 + len(r.plugin)
		if n > 0 && next > int(outCap) {
			break
		}
		n, size = n+1, next
	}
	if n < len(recs) {
		orphans.mu.Lock()
		orphans.records = append(recs[n:len(recs):len(recs)], orphans.records...)
		orphans.mu.Unlock()
	}
	w := &writer{}
	writeLogs(w, recs[:n], "")
	return answer(0, statusOK, w.b, out, outCap, outLen)
}

func fire(id uint32) { C.shim_fire(onComplete, C.uint32_t(id)) }

func main() {}
