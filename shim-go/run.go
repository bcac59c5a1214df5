package main

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
)

// claimRun is the part of a run done on the calling thread, kept small (the
// JavaScript thread is the gateway's bottleneck): for a frame that opens a
// request (reqH == 0) it registers a handle for a request not built yet;
// otherwise it takes the open one. Either way the request is busy until
// its run ends.
func claimRun(apiH, reqH, flags uint32) (h uint32, lr *liveRequest, status int32, msg string) {
	if reqH != 0 {
		if flags&inOpen != 0 {
			return 0, nil, statusBadInput, "the request is open already"
		}
		if lr, status, msg = acquire(reqH); lr == nil {
			return 0, nil, status, msg
		}
		return reqH, lr, statusOK, ""
	}
	api := apis.get(apiH)
	if api == nil {
		return 0, nil, statusGone, fmt.Sprintf("API handle %d is not registered", apiH)
	}
	if flags&inOpen == 0 {
		return 0, nil, statusBadInput, "a run without a request handle must open one"
	}
	lr = &liveRequest{api: api}
	return add(lr), lr, statusOK, ""
}

// run is the rest of a run, on a worker: build the request (first run) or
// apply what the gateway changed, resolve the hooks (in, the frame, is the
// run's own copy), then execute them. A frame that cannot be applied
// refuses the run (statusBadInput, with the reason) and leaves the request
// releasable. Each hook's call is marked in slot while it runs.
func (lr *liveRequest) run(h uint32, in []byte, slot *callSlot) (int32, []byte) {
	hooks, status, msg := lr.prepare(in)
	if status != statusOK {
		done(h, lr)
		return status, []byte(msg)
	}
	return lr.execute(h, hooks, slot)
}

func (lr *liveRequest) prepare(in []byte) (hooks []hook, status int32, msg string) {
	// A fault while applying the frame (a plugin left r.URL or r.Header nil) refuses the run.
	defer func() {
		if p := recover(); p != nil {
			hooks, status, msg = nil, statusBadInput, fmt.Sprintf("applying the gateway's changes: %v", p)
		}
	}()
	r := &reader{b: in}
	flags := r.u32()
	lr.wantSession = flags&inWantSession != 0
	if flags&inOpen != 0 {
		if err := lr.open(r, flags); err != nil {
			return nil, statusBadInput, err.Error()
		}
	}
	if err := lr.applyGatewayChanges(r, flags); err != nil {
		return nil, statusBadInput, err.Error()
	}
	n := r.count(8)
	hooks = make([]hook, n)
	for i := range hooks {
		handle := r.u32()
		hooks[i].flags = r.u32()
		if hooks[i].flags&hookPoliciesGate != 0 {
			if r.err == nil && handle != 0 {
				return nil, statusBadInput, "a policies gate names a plugin"
			}
			continue
		}
		p := plugins.get(handle)
		if r.err == nil && p == nil {
			return nil, statusBadInput, "unknown plugin handle"
		}
		hooks[i].plugin = p
	}
	if r.err != nil {
		return nil, statusBadInput, r.err.Error()
	}
	return hooks, statusOK, ""
}

// execute runs the hooks and encodes the result frame. It never panics; a
// fault of the shim itself comes back as statusPanic with its report.
func (lr *liveRequest) execute(h uint32, hooks []hook, slot *callSlot) (status int32, frame []byte) {
	defer done(h, lr)
	defer func() {
		if r := recover(); r != nil {
			status, frame = statusPanic, []byte(fmt.Sprintf("shim: %v\n%s", r, debug.Stack()))
		}
	}()
	runs, stop := lr.runHooks(hooks, slot)
	w := newWriter()
	lr.encode(w, runs, stop)
	return statusOK, w.b
}

func putU32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
