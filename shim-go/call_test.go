package main

import (
	"net/http"
	"testing"
)

func testFrame() []byte {
	w := &writer{}
	w.u32(0)
	for _, s := range []string{"GET", "/test/get?x=1", "localhost:8080", "HTTP/1.1", "127.0.0.1:5555", ""} {
		w.str(s)
	}
	w.u32(2)
	w.str("accept")
	w.str("*/*")
	w.str("user-agent")
	w.str("test")
	return w.b
}

func testAPI(t testing.TB) *apiEntry {
	h, err := registerAPI([]byte(`{"kind":"classic","definition":{"api_id":"a","name":"A"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return apis.get(h)
}

func TestExecuteAddsHeader(t *testing.T) {
	p := &loadedPlugin{request: func(rw http.ResponseWriter, r *http.Request) { r.Header.Add("Foo", "Bar") }}
	status, frame := execute(p, testAPI(t), testFrame(), func(*callLogs) {}, func() {})
	if status != statusOK {
		t.Fatalf("status %d: %s", status, frame)
	}
	r := &reader{b: frame}
	if flags := r.u32(); flags != outReqHeaders {
		t.Fatalf("flags %b", flags)
	}
}

func BenchmarkExecuteAddHeader(b *testing.B) {
	p := &loadedPlugin{request: func(rw http.ResponseWriter, r *http.Request) { r.Header.Add("Foo", "Bar") }}
	api, in := testAPI(b), testFrame()
	b.ReportAllocs()
	for b.Loop() {
		_, frame := execute(p, api, in, func(*callLogs) {}, func() {})
		releaseFrame(frame)
	}
}
