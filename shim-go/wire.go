package main

// Wire layouts of the call frame (TS -> Go) and the result frame (Go -> TS).
// Mirrored by ffi/wire.ts. All integers little-endian; str and bytes are a
// u32 length then the bytes.
//
// call frame:
//   u32 flags (inHas*)
//   str method, str requestURI, str host, str proto, str remoteAddr, str authToken
//   u32 n, n x (str name, str value)          request headers, one pair per value
//   [inHasSession]  bytes session JSON (Tyk's user.SessionState)
//   [inHasBody]     bytes body
//   [inHasResponse] u32 status, u32 n, n x (str name, str value), bytes body
//
// result frame:
//   u32 flags (out*), f64 plugin execution time in ns
//   then one section per set flag, in the order of the flag bits below.

import (
	"encoding/binary"
	"errors"
	"math"
	"sync"
)

const (
	inHasSession  = 1 << 0
	inHasBody     = 1 << 1
	inHasResponse = 1 << 2
)

const (
	outResponded     = 1 << 0  // u32 status, bytes body: the plugin wrote a response
	outMethod        = 1 << 1  // str
	outURL           = 1 << 2  // str: new request URI (or absolute URL)
	outHost          = 1 << 3  // str
	outReqHeaders    = 1 << 4  // u32 n, n x (str name, u32 k, k x str value); k=0 deletes
	outReqBody       = 1 << 5  // bytes
	outSession       = 1 << 6  // bytes JSON
	outSessionUpdate = 1 << 7  // no payload: SetSession(..., scheduleUpdate=true)
	outAuthToken     = 1 << 8  // str
	outRWHeaders     = 1 << 9  // u32 n, n x (str name, str value): all headers set on rw
	outPanic         = 1 << 10 // str message, str stack
	outResStatus     = 1 << 11 // u32
	outResHeaders    = 1 << 12 // u32 n, n x (str name, str value): the full new set
	outResBody       = 1 << 13 // bytes
	outLogs          = 1 << 14 // log records, as in a log frame
)

// log frame: u32 n, n x (u32 level, f64 unix ms, str message, str fields JSON, str plugin path)

var errShort = errors.New("call frame truncated")

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

// bytes returns a view into the borrowed input: copy before keeping it.
func (r *reader) bytes() []byte {
	n := int(r.u32())
	if r.err != nil || r.off+n > len(r.b) {
		r.err = errShort
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) str() string { return string(r.bytes()) }

type writer struct{ b []byte }

// Result frames are built in pooled buffers: allocation is a large part of a
// call's cost. A frame parked for later (too big, or async) is not returned.
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
func (w *writer) str(s string) { w.u32(uint32(len(s))); w.b = append(w.b, s...) }
func (w *writer) bytes(p []byte) { w.u32(uint32(len(p))); w.b = append(w.b, p...) }

func (w *writer) pairs(h map[string][]string) {
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
