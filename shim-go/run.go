package main

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
)

// startRun reads a run frame on the calling thread (its input is borrowed):
// it opens the request (reqH == 0) or takes the open one, applies what the
// gateway changed, and resolves the hooks. On success the request is busy
// until execute ends.
func startRun(apiH, reqH uint32, in []byte) (h uint32, lr *liveRequest, hooks []hook, status int32, msg string) {
	// A fault while applying the frame (a plugin left r.URL or r.Header nil)
	// refuses the run; the request must not stay busy, or it could never go.
	defer func() {
		if p := recover(); p != nil {
			if h != 0 {
				done(h, lr)
			}
			lr, hooks, status, msg = nil, nil, statusBadInput, fmt.Sprintf("applying the gateway's changes: %v", p)
		}
	}()
	r := &reader{b: in}
	flags := r.u32()
	if reqH == 0 {
		api := apis.get(apiH)
		if api == nil {
			return 0, nil, nil, statusGone, fmt.Sprintf("API handle %d is not registered", apiH)
		}
		if flags&inOpen == 0 {
			return 0, nil, nil, statusBadInput, "a run without a request handle must open one"
		}
		var err error
		if lr, err = openRequest(api, r, flags); err != nil {
			return 0, nil, nil, statusBadInput, err.Error()
		}
		h = add(lr)
	} else {
		if flags&inOpen != 0 {
			return 0, nil, nil, statusBadInput, "the request is open already"
		}
		if lr, status, msg = acquire(reqH); lr == nil {
			return 0, nil, nil, status, msg
		}
		h = reqH
	}
	fail := func(m string) (uint32, *liveRequest, []hook, int32, string) {
		done(h, lr)
		return h, nil, nil, statusBadInput, m
	}
	if err := lr.applyGatewayChanges(r, flags); err != nil {
		return fail(err.Error())
	}
	n := r.count(8)
	hooks = make([]hook, n)
	for i := range hooks {
		p := plugins.get(r.u32())
		hooks[i].flags = r.u32()
		if r.err == nil && p == nil {
			return fail("unknown plugin handle")
		}
		hooks[i].plugin = p
	}
	if r.err != nil {
		return fail(r.err.Error())
	}
	return h, lr, hooks, statusOK, ""
}

// execute runs the hooks and encodes the result frame. It never panics; a
// fault of the shim itself comes back as statusPanic with its report.
func (lr *liveRequest) execute(h uint32, hooks []hook) (status int32, frame []byte) {
	defer done(h, lr)
	defer func() {
		if r := recover(); r != nil {
			status, frame = statusPanic, []byte(fmt.Sprintf("shim: %v\n%s", r, debug.Stack()))
		}
	}()
	runs, stop := lr.runHooks(hooks)
	w := newWriter()
	lr.encode(w, runs, stop)
	return statusOK, w.b
}

func putU32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
