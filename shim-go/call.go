package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/user"
)

// recorder is the http.ResponseWriter a plugin writes to. As in Tyk, a call
// to WriteHeader or Write means the plugin answered the request itself.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.wrote, w.status = true, code
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *recorder) Flush() {}

// trackedBody lets the shim tell an untouched body (nothing to send back)
// from one the plugin read or replaced.
type trackedBody struct {
	r       bytes.Reader
	touched bool
}

func (b *trackedBody) Read(p []byte) (int, error) { b.touched = true; return b.r.Read(p) }
func (b *trackedBody) Close() error               { return nil }

type headerSnapshot struct {
	key  string
	vals []string
}

type call struct {
	api      *apiEntry
	req      *http.Request
	res      *http.Response
	rw       recorder
	reqBody  trackedBody
	resBody  trackedBody
	url      url.URL // parsed in place: see parseRequestURI
	path0    string  // the URL's path and query as they came in
	query0   string
	headers  []headerSnapshot
	resHdrs  []headerSnapshot
	resCode  int
	method   string
	uri      string
	host     string
	token    string
	lazy     *lazySession
	logs     callLogs
}

// readHeaders builds the header map and a pristine snapshot of it with two
// allocations for all values: a plugin's Add on a capacity-limited slice
// copies, so the snapshot stays as it came in.
func readHeaders(r *reader, frame string) (http.Header, []headerSnapshot) {
	n := int(r.u32())
	if r.err != nil || n > len(r.b)/8 {
		r.err = errShort
		return nil, nil
	}
	h := make(http.Header, n)
	snap := make([]headerSnapshot, 0, n)
	vals := make([]string, 2*n)
	for i := 0; i < n; i++ {
		name := sub(r, frame)
		val := sub(r, frame)
		if r.err != nil {
			return nil, nil
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		vals[i], vals[n+i] = val, val
		if cur, dup := h[key]; dup {
			h[key] = append(cur, val)
			for j := range snap {
				if snap[j].key == key {
					snap[j].vals = append(snap[j].vals, val)
				}
			}
			continue
		}
		h[key] = vals[i : i+1 : i+1]
		snap = append(snap, headerSnapshot{key, vals[n+i : n+i+1 : n+i+1]})
	}
	return h, snap
}

// sub reads a str as a substring of frame, a single Go copy of the whole
// input: one allocation serves every string of the call.
func sub(r *reader, frame string) string {
	b := r.bytes()
	if r.err != nil {
		return ""
	}
	start := r.off - len(b)
	return frame[start : start+len(b)]
}

func decodeCall(in []byte, api *apiEntry, withResponse bool) (*call, error) {
	frame := string(in)
	r := &reader{b: in}
	flags := r.u32()
	c := &call{api: api}
	c.method = sub(r, frame)
	c.uri = sub(r, frame)
	c.host = sub(r, frame)
	proto := sub(r, frame)
	remote := sub(r, frame)
	c.token = sub(r, frame)
	header, snap := readHeaders(r, frame)
	c.headers = snap
	if flags&inHasSession != 0 {
		raw := r.bytes()
		if r.err == nil {
			c.lazy = &lazySession{raw: bytes.Clone(raw), token: c.token}
		}
	}
	var body []byte
	if flags&inHasBody != 0 {
		body = bytes.Clone(r.bytes())
	}
	if r.err != nil {
		return nil, r.err
	}
	u, err := parseRequestURI(c.uri, &c.url)
	if err != nil {
		return nil, fmt.Errorf("request URI %q: %v", c.uri, err)
	}
	c.path0, c.query0 = c.url.Path, c.url.RawQuery
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		major, minor, proto = 1, 1, "HTTP/1.1"
	}
	c.reqBody.r.Reset(body)
	req := &http.Request{
		Method: c.method, URL: u, Proto: proto, ProtoMajor: major, ProtoMinor: minor,
		Header: header, Body: &c.reqBody, ContentLength: int64(len(body)),
		Host: c.host, RemoteAddr: remote, RequestURI: c.uri,
	}
	if len(body) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	cx := api.base
	if c.lazy != nil {
		cx = context.WithValue(cx, ctx.SessionData, c.lazy)
	}
	if c.token != "" {
		cx = context.WithValue(cx, ctx.AuthToken, c.token)
	}
	c.req = req.WithContext(cx)

	if withResponse {
		if flags&inHasResponse == 0 {
			return nil, fmt.Errorf("a response hook needs a response in the call frame")
		}
		status := int(r.u32())
		rh, rsnap := readHeaders(r, frame)
		rbody := bytes.Clone(r.bytes())
		if r.err != nil {
			return nil, r.err
		}
		c.resHdrs, c.resCode = rsnap, status
		c.resBody.r.Reset(rbody)
		c.res = &http.Response{
			Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
			Proto: proto, ProtoMajor: major, ProtoMinor: minor,
			Header: rh, Body: &c.resBody, ContentLength: int64(len(rbody)), Request: c.req,
		}
	}
	return c, nil
}

// run calls the plugin; a panic fails this call only.
func (c *call) run(p *loadedPlugin) (elapsed time.Duration, panicMsg, stack string) {
	start := time.Now()
	defer func() {
		elapsed = time.Since(start)
		if r := recover(); r != nil {
			if fe, ok := r.(fatalExit); ok {
				panicMsg = fmt.Sprintf("plugin called log.Fatal (exit code %d)", fe.code)
			} else {
				panicMsg = fmt.Sprint(r)
			}
			stack = string(debug.Stack())
		}
	}()
	if p.response != nil {
		p.response(&c.rw, c.res, c.req)
	} else {
		p.request(&c.rw, c.req)
	}
	return
}

type headerChange struct {
	key  string
	vals []string // nil: deleted
}

// changedHeaders appends, per header name, the values that differ from the
// snapshot (nil when the name was deleted).
func changedHeaders(dst []headerChange, h http.Header, snap []headerSnapshot) []headerChange {
	present := 0
	for _, s := range snap {
		cur, ok := h[s.key]
		if !ok {
			dst = append(dst, headerChange{s.key, nil})
			continue
		}
		present++
		if !sameValues(cur, s.vals) {
			dst = append(dst, headerChange{s.key, cur})
		}
	}
	if len(h) > present {
		for k, v := range h {
			if !inSnapshot(snap, k) {
				dst = append(dst, headerChange{k, v})
			}
		}
	}
	return dst
}

func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func inSnapshot(snap []headerSnapshot, k string) bool {
	for _, s := range snap {
		if s.key == k {
			return true
		}
	}
	return false
}

// bodyAfter returns the body to send on if the plugin read or replaced it.
func bodyAfter(cur io.ReadCloser, orig *trackedBody) ([]byte, bool) {
	if t, ok := cur.(*trackedBody); ok && t == orig && !orig.touched {
		return nil, false
	}
	if cur == nil || cur == http.NoBody {
		return nil, orig != nil && orig.r.Size() > 0
	}
	b, _ := io.ReadAll(cur)
	return b, true
}

func (c *call) forceQuery() bool { return strings.HasSuffix(c.uri, "?") }

func (c *call) encode(elapsed time.Duration, panicMsg, stack string) []byte {
	var flags uint32
	w := newWriter()
	w.b = append(w.b, make([]byte, 12)...)
	req := c.req

	if c.rw.wrote {
		flags |= outResponded
	}
	if req.Method != c.method {
		flags |= outMethod
	}
	uri := c.uri
	if u := req.URL; u != &c.url || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.RawPath != "" ||
		u.Path != c.path0 || u.RawQuery != c.query0 || u.Fragment != "" || u.ForceQuery != c.forceQuery() {
		// Only build the string when the URL may have changed.
		if uri = u.RequestURI(); u.IsAbs() {
			uri = u.String()
		}
		if uri != c.uri {
			flags |= outURL
		}
	}
	if req.Host != c.host {
		flags |= outHost
	}
	var changes [8]headerChange
	hdiff := changedHeaders(changes[:0], req.Header, c.headers)
	if len(hdiff) > 0 {
		flags |= outReqHeaders
	}
	var reqBody []byte
	if c.res == nil {
		var changed bool
		if reqBody, changed = bodyAfter(req.Body, &c.reqBody); changed {
			flags |= outReqBody
		}
	}
	// A session is sent back only if a plugin set one or read (and so may have changed) the one it was given.
	var sessJSON []byte
	switch v := req.Context().Value(ctx.SessionData).(type) {
	case *lazySession:
		if v.s != nil {
			if b, err := json.Marshal(v.s); err == nil && !bytes.Equal(b, v.canonical) {
				sessJSON = b
				flags |= outSession
			}
		}
	case nil:
	default:
		if s := ctx.GetSession(req); s != nil {
			if b, err := json.Marshal(s); err == nil {
				sessJSON = b
				flags |= outSession
			}
		}
	}
	if ctx.SessionUpdateScheduled(req) {
		flags |= outSessionUpdate
	}
	token := ctx.GetAuthToken(req)
	if token != c.token {
		flags |= outAuthToken
	}
	if len(c.rw.header) > 0 {
		flags |= outRWHeaders
	}
	if panicMsg != "" {
		flags |= outPanic
	}
	var resHdrs http.Header
	var resBody []byte
	if c.res != nil {
		res := c.res
		if res.StatusCode != c.resCode {
			flags |= outResStatus
		}
		if len(changedHeaders(changes[:0], res.Header, c.resHdrs)) > 0 {
			resHdrs = res.Header
			flags |= outResHeaders
		}
		var changed bool
		if resBody, changed = bodyAfter(res.Body, &c.resBody); changed {
			flags |= outResBody
		}
	}
	logs := c.logs.take()
	if len(logs) > 0 {
		flags |= outLogs
	}

	if flags&outResponded != 0 {
		w.u32(uint32(c.rw.status))
		w.bytes(c.rw.body.Bytes())
	}
	if flags&outMethod != 0 {
		w.str(req.Method)
	}
	if flags&outURL != 0 {
		w.str(uri)
	}
	if flags&outHost != 0 {
		w.str(req.Host)
	}
	if flags&outReqHeaders != 0 {
		w.u32(uint32(len(hdiff)))
		for _, ch := range hdiff {
			w.str(ch.key)
			w.u32(uint32(len(ch.vals)))
			for _, v := range ch.vals {
				w.str(v)
			}
		}
	}
	if flags&outReqBody != 0 {
		w.bytes(reqBody)
	}
	if flags&outSession != 0 {
		w.bytes(sessJSON)
	}
	if flags&outAuthToken != 0 {
		w.str(token)
	}
	if flags&outRWHeaders != 0 {
		w.pairs(c.rw.header)
	}
	if flags&outPanic != 0 {
		w.str(panicMsg)
		w.str(stack)
	}
	if flags&outResStatus != 0 {
		w.u32(uint32(c.res.StatusCode))
	}
	if flags&outResHeaders != 0 {
		w.pairs(resHdrs)
	}
	if flags&outResBody != 0 {
		w.bytes(resBody)
	}
	if flags&outLogs != 0 {
		writeLogs(w, logs)
	}
	head := &writer{b: w.b[:0]}
	head.u32(flags)
	head.f64(float64(elapsed.Nanoseconds()))
	return w.b
}

// execute decodes, runs and encodes one call. It never panics.
func execute(p *loadedPlugin, api *apiEntry, in []byte, register func(*callLogs), unregister func()) (status int32, frame []byte) {
	defer func() {
		if r := recover(); r != nil {
			w := &writer{}
			w.u32(outPanic)
			w.f64(0)
			w.str(fmt.Sprintf("shim: %v", r))
			w.str(string(debug.Stack()))
			status, frame = statusPanic, w.b
		}
	}()
	c, err := decodeCall(in, api, p.response != nil)
	if err != nil {
		return statusBadInput, []byte(err.Error())
	}
	c.logs.plugin = p.path
	register(&c.logs)
	elapsed, panicMsg, stack := c.run(p)
	unregister()
	frame = c.encode(elapsed, panicMsg, stack)
	if panicMsg != "" {
		return statusPanic, frame
	}
	return statusOK, frame
}

// Results of async calls and answers too large for the caller's buffer wait
// here under their call id.
type parkedCall struct {
	done      bool
	abandoned bool
	status    int32
	frame     []byte
}

var (
	parkedMu sync.Mutex
	parked   = map[uint32]*parkedCall{}
)

// parseRequestURI fills u from an origin-form request target ("/path?query")
// without allocating; anything else goes through net/url.
func parseRequestURI(uri string, u *url.URL) (*url.URL, error) {
	if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") || strings.ContainsAny(uri, "%#") {
		return url.ParseRequestURI(uri)
	}
	path, query, hasQuery := strings.Cut(uri, "?")
	*u = url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
	return u, nil
}

// lazySession decodes the session JSON a call brought only when a plugin asks
// for it: decoding and re-encoding Tyk's SessionState costs tens of
// microseconds, and most hooks never look at it.
type lazySession struct {
	raw       []byte
	token     string
	s         *user.SessionState
	canonical []byte // the session's own encoding, to tell a real change
}

func (l *lazySession) SessionLoaded() bool { return l.s != nil }

func (l *lazySession) LoadSession() *user.SessionState {
	if l.s == nil {
		s := &user.SessionState{KeyID: l.token}
		if err := json.Unmarshal(l.raw, s); err != nil {
			return nil
		}
		l.canonical, _ = json.Marshal(s)
		l.s = s
	}
	return l.s
}
