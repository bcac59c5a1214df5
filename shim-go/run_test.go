package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/user"
)

func testAPI(t testing.TB) uint32 {
	h, err := registerAPI([]byte(`{"kind":"classic","definition":{"api_id":"a","name":"A"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func testPlugin(f requestHook) uint32 {
	return plugins.add(&loadedPlugin{path: "test.so", symbol: "Test", request: f})
}

// openFrame is a run frame that opens a request and runs hooks.
func openFrame(method, uri, body string, hooks ...uint32) []byte {
	w := &writer{}
	flags := uint32(inOpen)
	if body != "" {
		flags |= inBody
	}
	w.u32(flags)
	for _, s := range []string{method, uri, "localhost:8080", "HTTP/1.1", "127.0.0.1:5555"} {
		w.str(s)
	}
	w.u32(2)
	w.str("accept")
	w.str("*/*")
	w.str("content-type")
	w.str("application/x-www-form-urlencoded")
	if body != "" {
		w.str(body)
	}
	hookList(w, hooks)
	return w.b
}

func hookList(w *writer, hooks []uint32) {
	w.u32(uint32(len(hooks)))
	for _, h := range hooks {
		w.u32(h)
		w.u32(0)
	}
}

// claim is the calling thread's part of a run (what shim_request_run does before the hand-off).
func claim(t testing.TB, api, req uint32, in []byte) (uint32, *liveRequest) {
	h, lr, status, msg := claimRun(api, req, binary.LittleEndian.Uint32(in))
	if lr == nil {
		t.Fatalf("claimRun: %d %s", status, msg)
	}
	return h, lr
}

// runFrame runs a frame to its end on the test's goroutine.
func runFrame(t testing.TB, api, req uint32, in []byte) (uint32, *reader) {
	h, lr := claim(t, api, req, in)
	status, frame := lr.run(h, in, nil)
	if status != statusOK {
		t.Fatalf("run: %d %s", status, frame)
	}
	return h, &reader{b: frame}
}

func TestBodyRewindsForEveryHook(t *testing.T) {
	var seen []string
	read := testPlugin(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		b, _ := io.ReadAll(r.Body)
		seen = append(seen, fmt.Sprintf("%s|%s", r.Form.Get("b"), b))
	})
	h, res := runFrame(t, testAPI(t), 0, openFrame("POST", "/x", "a=1&b=two", read, read))
	defer releaseRequest(h)
	if flags := res.u32(); flags != 0 {
		t.Fatalf("nothing changed, got flags %b", flags)
	}
	if want := "two|a=1&b=two"; len(seen) != 2 || seen[0] != want || seen[1] != want {
		t.Fatalf("hooks saw %q", seen)
	}
}

type ctxKey string

func TestOneRequestAcrossRuns(t *testing.T) {
	api := testAPI(t)
	pre := testPlugin(func(rw http.ResponseWriter, r *http.Request) {
		*r = *r.WithContext(context.WithValue(r.Context(), ctxKey("k"), "v"))
		ctx.SetSession(r, &user.SessionState{MetaData: map[string]interface{}{"tier": 2}}, false)
		r.URL.Path = "svc-v1/"
		r.Body = io.NopCloser(strings.NewReader("new body"))
	})
	var got string
	post := testPlugin(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = fmt.Sprintf("%v %T %s %s", r.Context().Value(ctxKey("k")), ctx.GetSession(r).MetaData["tier"], r.URL.Path, b)
	})
	h, res := runFrame(t, api, 0, openFrame("POST", "/x", "a=1", pre))
	defer releaseRequest(h)
	if flags := res.u32(); flags&(outURL|outReqBody|outSession) != outURL|outReqBody|outSession {
		t.Fatalf("flags %b", flags)
	}
	w := &writer{}
	w.u32(0)
	hookList(w, []uint32{post})
	if _, res = runFrame(t, api, h, w.b); res.u32() != outSessionTouched {
		t.Fatal("the second run changed nothing; the session it read is only marked touched, not encoded")
	}
	if want := "v int svc-v1/ new body"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReleaseWaitsForRun(t *testing.T) {
	started, block := make(chan context.Context, 1), make(chan struct{})
	slow := testPlugin(func(rw http.ResponseWriter, r *http.Request) {
		started <- r.Context()
		<-block
	})
	in := openFrame("GET", "/", "", slow)
	h, lr := claim(t, testAPI(t), 0, in)
	n := openRequests()
	if handOff(99, &lr.logs, false, func(*callSlot) (int32, []byte) { return lr.run(h, in, nil) }) != handedOff {
		t.Fatal("a run must be handed off")
	}
	c := <-started
	releaseRequest(h)
	if c.Err() == nil {
		t.Fatal("release cancels the request's context")
	}
	if openRequests() != n {
		t.Fatal("a running request stays until its run ends")
	}
	close(block)
	awaitResult()
	if openRequests() != n-1 {
		t.Fatal("the request is freed when its run ends")
	}
}

// The worker builds a new request after the calling thread has handed it a
// handle: a release in between (the client left at once) still cancels it.
func TestReleasedBeforeBuiltRunsCancelled(t *testing.T) {
	seen := make(chan error, 1)
	p := testPlugin(func(rw http.ResponseWriter, r *http.Request) { seen <- r.Context().Err() })
	in := openFrame("GET", "/", "", p)
	n := openRequests()
	h, lr := claim(t, testAPI(t), 0, in)
	releaseRequest(h)
	lr.run(h, in, nil)
	if <-seen == nil {
		t.Fatal("a request released before it was built must run with its context cancelled")
	}
	if openRequests() != n {
		t.Fatal("the request is freed when its run ends")
	}
}

func TestRecorderFollowsNetHTTP(t *testing.T) {
	for _, tc := range []struct {
		write func(http.ResponseWriter)
		code  int
		ctype string
	}{
		{func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html><body>hi")) }, 200, "text/html; charset=utf-8"},
		{func(w http.ResponseWriter) { _, _ = w.Write([]byte("%PDF-1.4")) }, 200, "application/pdf"},
		{func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "a/b")
			w.WriteHeader(201)
			_, _ = w.Write([]byte("x"))
		}, 201, "a/b"},
		{func(w http.ResponseWriter) {
			w.WriteHeader(204)
			w.Header().Set("Late", "1")
			_, _ = w.Write([]byte("x"))
		}, 204, ""},
	} {
		rec := &recorder{}
		tc.write(rec)
		code, h, _ := rec.answer()
		if code != tc.code || h.Get("Content-Type") != tc.ctype || h.Get("Late") != "" {
			t.Errorf("got %d %q %v", code, h.Get("Content-Type"), h)
		}
	}
}

// BenchmarkExecuteHook is the Go side of one header-setting hook on an open
// request (the hand-off to a worker is measured from JS, scripts/bench-ffi.ts).
func BenchmarkExecuteHook(b *testing.B) {
	api := testAPI(b)
	add := testPlugin(func(rw http.ResponseWriter, r *http.Request) { r.Header.Set("Foo", "Bar") })
	h, _ := runFrame(b, api, 0, openFrame("GET", "/x", ""))
	w := &writer{}
	w.u32(0)
	hookList(w, []uint32{add})
	b.ReportAllocs()
	for b.Loop() {
		_, lr := claim(b, api, h, w.b)
		_, frame := lr.run(h, w.b, nil)
		releaseFrame(frame)
	}
}

func TestUnencodableMetaDataStillReportsLimits(t *testing.T) {
	auth := testPlugin(func(rw http.ResponseWriter, r *http.Request) {
		ctx.SetSession(r, &user.SessionState{Rate: 1, Per: 60, QuotaMax: 2, MetaData: map[string]interface{}{"c": make(chan int)}}, false)
	})
	h, res := runFrame(t, testAPI(t), 0, openFrame("GET", "/x", "", auth))
	defer releaseRequest(h)
	flags := res.u32()
	if flags&outSession == 0 {
		t.Fatalf("the session must reach the gateway, flags %b", flags)
	}
	res.u32() // hooks run
	res.f64() // exec time
	res.u32() // hook flags
	if b := string(res.bytes()); !strings.Contains(b, `"rate":1`) || !strings.Contains(b, `"quota_max":2`) {
		t.Fatalf("session JSON %s", b)
	}
}

func TestFaultApplyingChangesLeavesRequestReleasable(t *testing.T) {
	api := testAPI(t)
	drop := testPlugin(func(rw http.ResponseWriter, r *http.Request) { r.Header = nil })
	n := openRequests()
	h, _ := runFrame(t, api, 0, openFrame("GET", "/x", "", drop))
	w := &writer{}
	w.u32(inHeaders)
	w.changes([]headerChange{{"X-A", []string{"1"}}})
	hookList(w, nil)
	_, lr := claim(t, api, h, w.b)
	if status, _ := lr.run(h, w.b, nil); status != statusBadInput {
		t.Fatalf("a fault must refuse the run, got status %d", status)
	}
	releaseRequest(h)
	if openRequests() != n {
		t.Fatal("the request must go when released")
	}
}

func TestStuckAbandonedRunsAreCapped(t *testing.T) {
	api := testAPI(t)
	block := make(chan struct{})
	stuck := testPlugin(func(rw http.ResponseWriter, r *http.Request) { <-block })
	quick := testPlugin(func(rw http.ResponseWriter, r *http.Request) {})
	start := func(id uint32, p uint32) handOffResult {
		in := openFrame("GET", "/", "", p)
		h, lr := claim(t, api, 0, in)
		res := handOff(id, &lr.logs, false, func(*callSlot) (int32, []byte) { return lr.run(h, in, nil) })
		if res != handedOff {
			done(h, lr)
		}
		releaseRequest(h)
		return res
	}
	base := uint32(1 << 20)
	for i := uint32(0); i < maxAbandonedRunning; i++ {
		if start(base+i, stuck) != handedOff {
			t.Fatalf("run %d refused before the cap", i)
		}
		abandon(base + i)
	}
	if got := start(base+maxAbandonedRunning, quick); got != tooManyStuck {
		t.Fatalf("past the cap a run must be refused, got %v", got)
	}
	// Stuck runs that end make room again.
	close(block)
	deadline := time.Now().Add(5 * time.Second)
	for start(base+maxAbandonedRunning+1, quick) != handedOff {
		if time.Now().After(deadline) {
			t.Fatal("runs are still refused after the stuck ones ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	awaitResult()
}

// awaitResult waits for a handed-off run to end and takes its result.
func awaitResult() {
	var buf [4096]byte
	for n, _ := takeResults(buf[:]); n == 0; n, _ = takeResults(buf[:]) {
		time.Sleep(time.Millisecond)
	}
}

func TestHeldLogRecordsAreBounded(t *testing.T) {
	var c callLogs
	for i := 0; i < maxHeldRecords+5; i++ {
		c.add(logRecord{msg: "again"})
	}
	recs := c.take()
	if len(recs) != maxHeldRecords+1 || !strings.Contains(recs[maxHeldRecords].msg, "5 more plugin log records were dropped") {
		t.Fatalf("got %d records, last %q", len(recs), recs[len(recs)-1].msg)
	}
	if len(c.take()) != 0 {
		t.Fatal("taken records are gone")
	}
}

// Results are taken in order, as many as fit; one larger than the whole
// buffer is announced with the size it needs and stays parked.
func TestTakeResultsPacksWhatFits(t *testing.T) {
	for id, size := range map[uint32]int{901: 10, 902: 30, 903: 100} {
		parkedMu.Lock()
		parked[id] = &parkedCall{done: true, status: statusOK, frame: make([]byte, size)}
		parkedMu.Unlock()
	}
	complete(901)
	complete(902)
	complete(903)
	buf := make([]byte, 60)
	n, more := takeResults(buf)
	// 901 (22 bytes) and 902 (42 bytes) do not both fit in 60: 901 comes alone.
	if n != 22 || !more || binary.LittleEndian.Uint32(buf) != 901 || binary.LittleEndian.Uint32(buf[8:]) != 10 {
		t.Fatalf("first take: %d bytes, more %v, %v", n, more, buf[:12])
	}
	if n, more = takeResults(buf); n != 42 || !more || binary.LittleEndian.Uint32(buf) != 902 {
		t.Fatalf("second take: %d bytes, more %v", n, more)
	}
	n, more = takeResults(buf)
	if n != 12 || more || binary.LittleEndian.Uint32(buf) != 903 ||
		int32(binary.LittleEndian.Uint32(buf[4:])) != statusBuffer || binary.LittleEndian.Uint32(buf[8:]) != 100 {
		t.Fatalf("oversized result: %d bytes, more %v, %v", n, more, buf[:12])
	}
	parkedMu.Lock()
	_, kept := parked[903]
	delete(parked, 903)
	parkedMu.Unlock()
	if !kept {
		t.Fatal("an oversized result stays parked for shim_result_take")
	}
}

// Go refuses a plugin whose copy of a package differs from one already in
// the process: the gateway's own, or another plugin's. The message says which.
func TestDifferentVersionNamesWhoseCopy(t *testing.T) {
	for pkg, want := range map[string]string{
		"github.com/sirupsen/logrus":   "than this gateway",
		"net/http":                     "than this gateway",
		"github.com/google/uuid":       "than a plugin loaded before it",
		"github.com/google/uuid/inner": "than a plugin loaded before it",
	} {
		err := explainOpenError("/p.so", fmt.Errorf("plugin.Open(\"/p\"): plugin was built with a different version of package %s", pkg))
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", pkg, err)
		}
	}
}

// A run shim_request_run accepts waits for shim_runs_start, which starts the
// runs accepted since the last one, in order.
func TestHeldRunsStartTogether(t *testing.T) {
	ran := make(chan int, 2)
	for i := range 2 {
		p := testPlugin(func(http.ResponseWriter, *http.Request) { ran <- i })
		in := openFrame("GET", "/", "", p)
		h, lr := claim(t, testAPI(t), 0, in)
		if handOff(uint32(200+i), &lr.logs, true, func(*callSlot) (int32, []byte) { return lr.run(h, in, nil) }) != handedOff {
			t.Fatal("a run must be accepted")
		}
	}
	select {
	case i := <-ran:
		t.Fatalf("run %d started before shim_runs_start", i)
	case <-time.After(50 * time.Millisecond):
	}
	if n := startHeld(); n != 2 {
		t.Fatalf("started %d runs, want 2", n)
	}
	got := map[int]bool{<-ran: true, <-ran: true}
	if !got[0] || !got[1] {
		t.Fatalf("runs that ran: %v", got)
	}
	for taken := 0; taken < 2; {
		var buf [4096]byte
		n, _ := takeResults(buf[:])
		for off := 0; off < n; off += 12 + int(binary.LittleEndian.Uint32(buf[off+8:])) {
			taken++
		}
		time.Sleep(time.Millisecond)
	}
	if startHeld() != 0 {
		t.Fatal("a run is started once")
	}
}
