package main

// One live request per HTTP request, as in Tyk: the first run on a request
// opens it (its *http.Request, context, URL, header map, body and session
// live here, behind a handle), every later run of every hook works on that
// same object, and the gateway releases it when the request ends. Between
// runs the gateway's own steps (standard auth, quotas, the proxy) send only
// what they changed; a run sends back only what the hooks changed.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/user"
)

type liveRequest struct {
	api    *apiEntry
	req    *http.Request
	cancel context.CancelFunc
	rw     recorder

	// What the gateway last saw (sent, or reported back): the baseline of a run's changes.
	method, host, token, uri string
	url                      url.URL
	headers                  []headerSnapshot
	body                     *rewindBody // nil: no body
	contentLength            int64
	session                  any // the ctx.SessionData value last reported

	// Response hooks: the upstream's answer, shared by every response hook.
	res     *http.Response
	resBody *rewindBody
	resCode int
	resHdrs []headerSnapshot

	busy, released bool // guarded by requests.mu
	logs           callLogs
	wantSession    bool // this run's frame had inWantSession
}

var requests = struct {
	sync.Mutex
	m    map[uint32]*liveRequest
	next uint32
}{m: map[uint32]*liveRequest{}}

// acquire returns the request for a run and marks it busy: one run at a time.
func acquire(h uint32) (*liveRequest, int32, string) {
	requests.Lock()
	defer requests.Unlock()
	lr := requests.m[h]
	switch {
	case lr == nil || lr.released:
		return nil, statusGone, fmt.Sprintf("request handle %d is not open", h)
	case lr.busy:
		return nil, statusBadState, fmt.Sprintf("request handle %d is already running", h)
	}
	lr.busy = true
	return lr, statusOK, ""
}

// add opens a handle for a new request, marked busy for its first run.
func add(lr *liveRequest) uint32 {
	requests.Lock()
	defer requests.Unlock()
	for {
		requests.next++
		if requests.next == 0 {
			continue
		}
		if _, taken := requests.m[requests.next]; !taken {
			break
		}
	}
	lr.busy = true
	requests.m[requests.next] = lr
	return requests.next
}

// done ends a run; a request released while it ran goes now.
func done(h uint32, lr *liveRequest) {
	requests.Lock()
	defer requests.Unlock()
	lr.busy = false
	if lr.released {
		delete(requests.m, h)
	}
}

// releaseRequest ends a request: its context is cancelled now, and the
// request is forgotten now or, when a run is still going (a timed-out
// plugin), as soon as that run ends.
func releaseRequest(h uint32) bool {
	requests.Lock()
	lr := requests.m[h]
	if lr == nil || lr.released {
		requests.Unlock()
		return false
	}
	lr.released = true
	if !lr.busy {
		delete(requests.m, h)
	}
	cancel := lr.cancel // nil while its first run has not built it yet
	requests.Unlock()
	if cancel != nil {
		cancel()
	}
	return true
}

func openRequests() int {
	requests.Lock()
	defer requests.Unlock()
	return len(requests.m)
}

// open builds the request of a handle claimed for it (see claimRun) from a
// frame's open section. It runs on the worker, so a release may come first:
// then the context is cancelled as soon as it exists.
func (lr *liveRequest) open(r *reader, flags uint32) error {
	lr.method = string(r.bytes())
	lr.uri = string(r.bytes())
	lr.host = string(r.bytes())
	proto := string(r.bytes())
	remote := string(r.bytes())
	header := readHeaders(r)
	var body []byte
	if flags&inBody != 0 {
		body = bytes.Clone(r.bytes())
	}
	if r.err != nil {
		return r.err
	}
	u, err := url.ParseRequestURI(lr.uri)
	if err != nil {
		return fmt.Errorf("request URI %q: %v", lr.uri, err)
	}
	lr.url = *u
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		major, minor, proto = 1, 1, "HTTP/1.1"
	}
	c, cancel := context.WithCancel(lr.api.base)
	req := &http.Request{
		Method: lr.method, URL: u, Proto: proto, ProtoMajor: major, ProtoMinor: minor,
		Header: header, Body: http.NoBody, Host: lr.host, RemoteAddr: remote, RequestURI: lr.uri,
	}
	if len(body) > 0 {
		lr.body = newRewindBody(body)
		req.Body, req.ContentLength = lr.body, int64(len(body))
	}
	lr.contentLength = req.ContentLength
	lr.req = req.WithContext(c)
	lr.headers = snapshot(header)
	requests.Lock()
	lr.cancel = cancel
	released := lr.released
	requests.Unlock()
	if released {
		cancel()
	}
	return nil
}

func (lr *liveRequest) setContext(key ctx.Key, v any) {
	*lr.req = *lr.req.WithContext(context.WithValue(lr.req.Context(), key, v))
}

// applyGatewayChanges applies what the gateway's own steps changed since the
// last run. What it sets becomes the baseline: it is not reported back.
func (lr *liveRequest) applyGatewayChanges(r *reader, flags uint32) error {
	req := lr.req
	if flags&inHeaders != 0 {
		applyChanges(r, req.Header)
		lr.headers = snapshot(req.Header)
	}
	if flags&inSession != 0 {
		raw := bytes.Clone(r.bytes())
		if live, ok := lr.req.Context().Value(ctx.SessionData).(*user.SessionState); ok && flags&inSessionInPlace != 0 {
			if err := adoptSession(live, raw); err != nil {
				return fmt.Errorf("session: %v", err)
			}
			lr.session = live
		} else {
			l := &lazySession{raw: raw, token: lr.token}
			lr.setContext(ctx.SessionData, l)
			lr.session = l
		}
	}
	if flags&inQuota != 0 {
		q := quotaPatch{apis: make([]string, r.count(4))}
		for i := range q.apis {
			q.apis[i] = string(r.bytes())
		}
		q.sessionLevel = r.u32() != 0
		q.remaining, q.renews = int64(r.f64()), int64(r.f64())
		if r.err == nil {
			lr.applyQuota(q)
		}
	}
	if flags&inAuthToken != 0 {
		lr.token = string(r.bytes())
		lr.setContext(ctx.AuthToken, lr.token)
	}
	if flags&inUpstream != 0 {
		raw := string(r.bytes())
		host := string(r.bytes())
		if r.err != nil {
			return r.err
		}
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("upstream URL %q: %v", raw, err)
		}
		// Tyk's director rewrites the request's own URL object: response hooks see the upstream's.
		*req.URL = *u
		req.Host = host
		lr.url, lr.host = *u, host
		lr.uri = u.String()
	}
	if flags&inResponse != 0 {
		status := int(r.u32())
		h := readHeaders(r)
		body := bytes.Clone(r.bytes())
		if r.err != nil {
			return r.err
		}
		lr.resBody = newRewindBody(body)
		lr.resCode, lr.resHdrs = status, snapshot(h)
		lr.res = &http.Response{
			Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
			Proto: req.Proto, ProtoMajor: req.ProtoMajor, ProtoMinor: req.ProtoMinor,
			Header: h, Body: lr.resBody, ContentLength: int64(len(body)), Request: req,
		}
		// Response hooks write to the client's writer afresh: what request hooks set on theirs was sent already.
		lr.rw = recorder{}
	}
	return r.err
}

// quotaPatch is the gateway's quota bookkeeping (Tyk's updateSessionQuota):
// the per-API limits it names, and the session-level fields when sessionLevel.
type quotaPatch struct {
	apis              []string
	sessionLevel      bool
	remaining, renews int64
}

func (q quotaPatch) apply(s *user.SessionState) {
	for _, id := range q.apis {
		if a, ok := s.AccessRights[id]; ok {
			a.Limit.QuotaRemaining, a.Limit.QuotaRenews = q.remaining, q.renews
			s.AccessRights[id] = a
		}
	}
	if q.sessionLevel {
		s.QuotaRemaining, s.QuotaRenews = q.remaining, q.renews
	}
}

func (lr *liveRequest) applyQuota(q quotaPatch) {
	switch v := lr.req.Context().Value(ctx.SessionData).(type) {
	case *lazySession:
		if v.s == nil {
			v.patches = append(v.patches, q) // applied when a plugin first asks for it
			return
		}
		q.apply(v.s)
	case nil:
		return
	default:
		if s := ctx.GetSession(lr.req); s != nil {
			q.apply(s)
		}
	}
}

// hookRun is what one hook did.
type hookRun struct {
	elapsed    time.Duration
	panicMsg   string
	stack      string
	logs       []logRecord
	pluginPath string
}

type hook struct {
	plugin *loadedPlugin
	flags  uint32
}

// runHooks runs hooks in order until one answers or panics, or a policies
// gate stops the run; each hook's call is marked in slot while it runs.
func (lr *liveRequest) runHooks(hooks []hook, slot *callSlot) (runs []hookRun, stop uint32) {
	runs = make([]hookRun, 0, len(hooks))
	for _, h := range hooks {
		if h.flags&hookPoliciesGate != 0 {
			if !lr.passPoliciesGate() {
				return runs, outGate
			}
			continue
		}
		lr.prepareBodies()
		slot.enter(h.plugin)
		run := lr.call(h.plugin)
		slot.leave()
		runs = append(runs, run)
		switch {
		case run.panicMsg != "":
			return runs, outPanicked
		case lr.rw.wrote:
			return runs, 0
		}
	}
	return runs, 0
}

// passPoliciesGate tells whether the run may go on past a policies gate:
// the request has no session (nothing to apply), or its session names no
// policy, which is then normalised in place as Tyk's policy service does
// for it (MetaData an empty map rather than nil; each access right with its
// own limit gets its API's id as allowance scope); the gateway does the
// same for sessions it holds (src/policy/apply.ts). A session that names
// policies, or custom policies in its metadata, stops the run, as does a
// session the gateway sent that no hook decoded (the gateway has it).
func (lr *liveRequest) passPoliciesGate() bool {
	v := lr.req.Context().Value(ctx.SessionData)
	if v == nil {
		return true
	}
	if l, ok := v.(*lazySession); ok && l.s == nil {
		return false
	}
	s := ctx.GetSession(lr.req)
	if s == nil {
		return true
	}
	if len(s.PolicyIDs()) > 0 {
		return false
	}
	if _, err := s.GetCustomPolicies(); err == nil {
		return false
	}
	if s.MetaData == nil {
		s.MetaData = map[string]interface{}{}
	}
	for id, ar := range s.AccessRights {
		if !ar.Limit.IsEmpty() && ar.AllowanceScope != id {
			ar.AllowanceScope = id
			s.AccessRights[id] = ar
		}
	}
	return true
}

// prepareBodies rewinds the bodies before a hook, and makes a body an
// earlier hook put in place re-readable, as Tyk does before every hook.
func (lr *liveRequest) prepareBodies() {
	if b := lr.req.Body; b != nil && b != http.NoBody {
		rb := adopt(b)
		rb.rewind()
		lr.req.Body = rb
	}
	if lr.res != nil {
		if b := lr.res.Body; b != nil && b != http.NoBody {
			rb := adopt(b)
			rb.rewind()
			lr.res.Body = rb
		}
	}
}

// call runs one hook; a panic (or log.Fatal through Tyk's logger) fails this run only.
func (lr *liveRequest) call(p *loadedPlugin) (run hookRun) {
	run.pluginPath = p.path
	start := time.Now()
	defer func() {
		run.elapsed = time.Since(start)
		if r := recover(); r != nil {
			if fe, ok := r.(fatalExit); ok {
				run.panicMsg = fmt.Sprintf("plugin called log.Fatal (exit code %d)", fe.code)
			} else {
				run.panicMsg = fmt.Sprint(r)
			}
			run.stack = string(debug.Stack())
		}
		run.logs = lr.logs.take()
	}()
	if p.response != nil {
		if lr.res == nil {
			panic("a response hook ran without the upstream's response")
		}
		p.response(&lr.rw, lr.res, lr.req)
	} else {
		p.request(&lr.rw, lr.req)
	}
	return
}

// encode writes the result frame: each hook's run, then what changed since
// the gateway last saw the request, which becomes the new baseline.
func (lr *liveRequest) encode(w *writer, runs []hookRun, stop uint32) {
	req := lr.req
	flags := stop
	start := len(w.b)
	w.u32(0) // flags, filled in below
	w.u32(uint32(len(runs)))
	for _, run := range runs {
		w.f64(float64(run.elapsed.Nanoseconds()))
		var hf uint32
		if run.panicMsg != "" {
			hf |= hookPanicked
		}
		if len(run.logs) > 0 {
			hf |= hookLogs
		}
		w.u32(hf)
		if run.panicMsg != "" {
			w.str(run.panicMsg)
			w.str(run.stack)
		}
		if len(run.logs) > 0 {
			writeLogs(w, run.logs, run.pluginPath)
		}
	}

	if lr.rw.wrote {
		flags |= outResponded
		status, h, body := lr.rw.answer()
		w.u32(uint32(status))
		w.pairs(h)
		w.bytes(body)
	}
	if req.Method != lr.method {
		flags |= outMethod
		lr.method = req.Method
		w.str(lr.method)
	}
	if u := req.URL; u != nil && *u != lr.url {
		lr.url = *u
		uri := u.RequestURI()
		if u.IsAbs() {
			uri = u.String()
		}
		if uri != lr.uri {
			flags |= outURL
			lr.uri = uri
			w.str(uri)
		}
	}
	if req.Host != lr.host {
		flags |= outHost
		lr.host = req.Host
		w.str(lr.host)
	}
	var buf [8]headerChange
	if ch := changedHeaders(buf[:0], req.Header, lr.headers); len(ch) > 0 {
		flags |= outReqHeaders
		w.changes(ch)
		lr.headers = snapshot(req.Header)
	}
	if body, changed := lr.bodyChange(); changed {
		flags |= outReqBody
		w.bytes(body)
	}
	b, changed, touched := lr.sessionChange(lr.wantSession)
	if changed {
		flags |= outSession
		w.bytes(b)
	}
	if touched {
		flags |= outSessionTouched
	}
	if ctx.SessionUpdateScheduled(req) {
		flags |= outSessionUpdate
		// Reported once: the gateway stores it now.
		if s := ctx.GetSession(req); s != nil {
			s.Reset()
		}
		if scheduled, _ := req.Context().Value(ctx.UpdateSession).(bool); scheduled {
			lr.setContext(ctx.UpdateSession, false)
		}
	}
	if token := ctx.GetAuthToken(req); token != lr.token {
		flags |= outAuthToken
		lr.token = token
		w.str(token)
	}
	if !lr.rw.wrote && len(lr.rw.header) > 0 {
		flags |= outRWHeaders
		w.pairs(lr.rw.header)
	}
	if res := lr.res; res != nil {
		if res.StatusCode != lr.resCode {
			flags |= outResStatus
			lr.resCode = res.StatusCode
			w.u32(uint32(res.StatusCode))
		}
		if len(changedHeaders(buf[:0], res.Header, lr.resHdrs)) > 0 {
			flags |= outResHeaders
			w.pairs(res.Header)
			lr.resHdrs = snapshot(res.Header)
		}
		if b := res.Body; b != lr.resBody {
			flags |= outResBody
			var body []byte
			if b != nil && b != http.NoBody {
				lr.resBody = adopt(b)
				body, _ = lr.resBody.bytes()
				res.Body = lr.resBody
			} else {
				lr.resBody = nil
			}
			w.bytes(body)
		}
	}
	putU32(w.b[start:], flags)
}

// bodyChange reports the body a hook put in place (or a new ContentLength),
// reading it whole; the gateway sends it upstream with Content-Length
// following its length.
func (lr *liveRequest) bodyChange() ([]byte, bool) {
	req := lr.req
	cur := req.Body
	if cur == http.NoBody {
		cur = nil
	}
	same := (cur == nil && lr.body == nil) || (lr.body != nil && cur == lr.body)
	if same && req.ContentLength == lr.contentLength {
		return nil, false
	}
	var body []byte
	if cur != nil {
		lr.body = adopt(cur)
		body, _ = lr.body.bytes()
		req.Body = lr.body
	} else {
		lr.body = nil
	}
	req.ContentLength = int64(len(body))
	lr.contentLength = req.ContentLength
	return body, true
}

// sessionChange reports a session a hook set (changed), or that the one
// the gateway knows was decoded, so hooks may have changed it in place
// (touched: fetched by the gateway only if it needs it, as encoding a
// session costs more than the rest of a run; with want, the gateway needs
// it next, so it comes whole as a change). A lazily loaded session no hook
// asked for is neither.
func (lr *liveRequest) sessionChange(want bool) (b []byte, changed, touched bool) {
	v := lr.req.Context().Value(ctx.SessionData)
	if v == nil {
		return nil, false, false
	}
	if l, ok := v.(*lazySession); ok && l.s == nil {
		return nil, false, false
	}
	if v == lr.session && !want {
		return nil, false, true
	}
	b, ok := lr.sessionJSON()
	if !ok {
		return nil, false, false
	}
	lr.session = v
	return b, true, false
}

// sessionJSON encodes the request's session as it is now; false when there
// is none. A lazily loaded session nobody decoded is sent back as loaded.
func (lr *liveRequest) sessionJSON() ([]byte, bool) {
	if lr.req == nil { // its first run failed to build it
		return nil, false
	}
	if l, ok := lr.req.Context().Value(ctx.SessionData).(*lazySession); ok && l.s == nil {
		return l.raw, true
	}
	s := ctx.GetSession(lr.req)
	if s == nil {
		return nil, false
	}
	b, err := json.Marshal(s)
	if err != nil {
		// MetaData holding what JSON cannot encode (a channel, NaN, map[interface{}]...):
		// the gateway still gets every field it enforces (rates, quotas, rights); the Go
		// object keeps its MetaData for later hooks.
		shallow := *s
		shallow.MetaData = nil
		if b, err = json.Marshal(&shallow); err != nil {
			return nil, false
		}
	}
	return b, true
}

// adoptSession writes the session the gateway's policies gave (JSON) into
// the live object hooks have, as Tyk's policy service changes that object in
// place: later hooks keep the same pointer and what the encoding cannot carry
// (KeyID, the cached key hash, a scheduled update). MetaData is merged: a
// value whose JSON is unchanged stays the Go value a hook put there (an int
// stays an int, a struct a struct), and a key the gateway's result lacks is
// kept, since applying policies only adds keys (it lacks those JSON could not
// encode, sent without them: see sessionJSON).
func adoptSession(live *user.SessionState, raw []byte) error {
	var next user.SessionState
	if err := json.Unmarshal(raw, &next); err != nil {
		return err
	}
	before := live.MetaData
	dst, src := reflect.ValueOf(live).Elem(), reflect.ValueOf(&next).Elem()
	for i := range dst.NumField() {
		if f := dst.Type().Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
			dst.Field(i).Set(src.Field(i))
		}
	}
	if live.MetaData == nil && len(before) > 0 {
		live.MetaData = map[string]interface{}{}
	}
	for k, old := range before {
		v, ok := live.MetaData[k]
		if !ok {
			live.MetaData[k] = old
			continue
		}
		a, errA := json.Marshal(old)
		b, errB := json.Marshal(v)
		if errA == nil && errB == nil && bytes.Equal(a, b) {
			live.MetaData[k] = old
		}
	}
	return nil
}

// lazySession is a session the gateway loaded (standard auth), decoded only
// when a plugin asks for it: most hooks never look at it.
type lazySession struct {
	raw     []byte
	token   string
	s       *user.SessionState
	patches []quotaPatch
}

func (l *lazySession) SessionLoaded() bool { return l.s != nil }

func (l *lazySession) LoadSession() *user.SessionState {
	if l.s == nil {
		s := &user.SessionState{KeyID: l.token}
		if err := json.Unmarshal(l.raw, s); err != nil {
			return nil
		}
		for _, q := range l.patches {
			q.apply(s)
		}
		l.s, l.patches = s, nil
	}
	return l.s
}
