package main

import (
	"bytes"
	"fmt"
	"net/http"
)

// recorder is the http.ResponseWriter every request hook of one request
// writes to, as Tyk's hooks share the real writer: headers one hook sets are
// there for the next. A call to WriteHeader or Write means the plugin answered
// the request itself. The answer follows net/http's rules: status 200 when
// only Write is called, headers frozen at WriteHeader, Content-Type sniffed
// with http.DetectContentType when none was set, no body for statuses that
// allow none.
type recorder struct {
	header http.Header
	sent   http.Header // the headers as they were at WriteHeader
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
	// net/http panics on codes it cannot write; Tyk's plugin middleware then recovers it as a plugin panic.
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wrote {
		return
	}
	// 1xx informational answers (but 101) go out ahead of the real one in net/http.
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		return
	}
	w.wrote, w.status = true, code
	w.sent = w.Header().Clone()
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.body.Len() == 0 && len(p) > 0 {
		w.sniff(p)
	}
	return w.body.Write(p)
}

// sniff sets Content-Type from the first bytes written, as net/http does
// when the handler set none (and no Transfer-Encoding).
func (w *recorder) sniff(p []byte) {
	if _, have := w.sent["Content-Type"]; have || w.sent.Get("Transfer-Encoding") != "" {
		return
	}
	w.sent.Set("Content-Type", http.DetectContentType(p))
}

func (w *recorder) Flush() {}

// answer is the status, headers and body the client gets.
func (w *recorder) answer() (int, http.Header, []byte) {
	return w.status, w.sent, w.body.Bytes()
}

// bodyAllowed is net/http's rule: no body for 1xx, 204 and 304.
func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}
