package main

// Wire layouts of the run frame (TS -> Go) and the result frame (Go -> TS).
// Mirrored by ffi/wire.ts. All integers little-endian; str and bytes are a
// u32 length then the bytes; pairs is u32 n then n x (str name, str value);
// changes is u32 n then n x (str name, u32 k, k x str value), k = 0 deletes.
//
// run frame: what the gateway's own steps changed since Go last saw the
// request, then the hooks to run on it, in order.
//   u32 flags (in*)
//   [inOpen]        str method, str requestURI, str host, str proto, str remoteAddr, pairs headers
//   [inBody]        bytes body (only with inOpen)
//   [inHeaders]     changes: request headers the gateway changed (standard auth's strip_auth_data)
//   [inSession]     bytes session JSON: a session the gateway loaded (standard auth); replaces any.
//                   With inSessionInPlace: the session the gateway's policies gave for the one hooks have,
//                   written into that object (see adoptSession)
//   [inQuota]       u32 n, n x str apiID, u32 sessionLevel, f64 remaining, f64 renews:
//                   quota bookkeeping written into the live session object, never through JSON
//   [inAuthToken]   str
//   [inUpstream]    str absolute URL, str host: the request as sent upstream (before response hooks)
//   [inResponse]    u32 status, pairs headers, bytes body: the upstream's answer, for response hooks
//   [inWantSession] no payload: a gateway step that reads the session follows this run, so a session
//                   hooks may have changed in place comes back whole (outSession), not as outSessionTouched
//   u32 n, n x (u32 plugin handle, u32 hook flags (hook*)); a policies gate (hookPoliciesGate) has handle 0
//
// result frame:
//   u32 flags (out*), u32 hooks run
//   per hook run: f64 execution time in ns, u32 hook result flags (hookPanicked, hookLogs),
//                 [hookPanicked] str message, str stack; [hookLogs] log records as in a log frame
//   then one section per set flag, in the order of the flag bits below.

import (
	"encoding/binary"
	"errors"
	"math"
	"net/http"
	"sync"
)

const (
	inOpen      = 1 << 0
	inBody      = 1 << 1
	inHeaders   = 1 << 2
	inSession   = 1 << 3
	inQuota     = 1 << 4
	inAuthToken = 1 << 5
	inUpstream  = 1 << 6
	inResponse  = 1 << 7
	// inWantSession, inSessionInPlace: see the run frame above.
	inWantSession    = 1 << 8
	inSessionInPlace = 1 << 9
)

const (
	// hookPoliciesGate: not a hook but the place where Tyk applies the
	// session's policies (after authentication and after post_key_auth
	// hooks). A session that names none is normalised there in place, as
	// Tyk does, and the run goes on; one that names policies (or is the
	// gateway's, not yet decoded) stops the run there (outGate) for the
	// gateway to apply them, which then runs the hooks after the gate.
	hookPoliciesGate = 1 << 1
)

const (
	hookPanicked = 1 << 0
	hookLogs     = 1 << 1
)

const (
	outResponded     = 1 << 0  // u32 status, pairs headers (as net/http would send them), bytes body
	outMethod        = 1 << 1  // str
	outURL           = 1 << 2  // str: new request URI (or absolute URL)
	outHost          = 1 << 3  // str
	outReqHeaders    = 1 << 4  // changes
	outReqBody       = 1 << 5  // bytes: the body a hook put in place of the one the gateway knew
	outSession       = 1 << 6  // bytes JSON: a session a hook set (another object than the gateway knew)
	outSessionUpdate = 1 << 7  // no payload: SetSession(..., scheduleUpdate=true) or Touch(); cleared once reported
	outAuthToken     = 1 << 8  // str
	outRWHeaders     = 1 << 9  // pairs: every header set on the ResponseWriter (no answer written)
	outResStatus     = 1 << 11 // u32
	outResHeaders    = 1 << 12 // pairs: the full new set
	outResBody       = 1 << 13 // bytes
	outPanicked      = 1 << 14 // no payload: the run stopped at a hook that panicked
	// no payload: the session the gateway knows was open to this run's hooks (decoded), which may have
	// changed it in place; the gateway fetches it with shim_request_session only when it needs it.
	outSessionTouched = 1 << 15
	// no payload: the run stopped at the first policies gate after its last hook run (hookPoliciesGate)
	outGate = 1 << 16
)

// log frame: u32 n, n x (u32 level, f64 unix ms, str message, bytes fields JSON, str plugin path)

var errShort = errors.New("run frame truncated")

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) u32() uint32 {
	if r.err != nil || r.off+4 > len(r.b) {
		r.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v
}

func (r *reader) f64() float64 {
	if r.err != nil || r.off+8 > len(r.b) {
		r.err = errShort
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return v
}

// bytes returns a view into the input: copy before keeping it.
func (r *reader) bytes() []byte {
	n := int(r.u32())
	if r.err != nil || n > len(r.b)-r.off {
		r.err = errShort
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

// count reads an element count and refuses one the rest of the frame cannot
// hold (each element takes at least min bytes), so a hostile count never
// sizes an allocation.
func (r *reader) count(min int) int {
	n := int(r.u32())
	if r.err == nil && n > (len(r.b)-r.off)/min {
		r.err = errShort
		return 0
	}
	return n
}

type writer struct{ b []byte }

// Result frames are built in pooled buffers: allocation is a large part of a
// run's cost. A frame parked for later (too big, or async) is not returned.
var writers = sync.Pool{New: func() any { return &writer{b: make([]byte, 0, 1024)} }}

func newWriter() *writer { w := writers.Get().(*writer); w.b = w.b[:0]; return w }

func releaseFrame(b []byte) {
	if cap(b) <= 64<<10 {
		writers.Put(&writer{b: b[:0]})
	}
}

func (w *writer) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *writer) f64(v float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}
func (w *writer) str(s string)   { w.u32(uint32(len(s))); w.b = append(w.b, s...) }
func (w *writer) bytes(p []byte) { w.u32(uint32(len(p))); w.b = append(w.b, p...) }

func (w *writer) pairs(h http.Header) {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	w.u32(uint32(n))
	for k, vs := range h {
		for _, v := range vs {
			w.str(k)
			w.str(v)
		}
	}
}

func (w *writer) changes(ch []headerChange) {
	w.u32(uint32(len(ch)))
	for _, c := range ch {
		w.str(c.key)
		w.u32(uint32(len(c.vals)))
		for _, v := range c.vals {
			w.str(v)
		}
	}
}
