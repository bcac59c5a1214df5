package tools

import "net/http"

// TrackingResponseWriter remembers whether a response was started.
type TrackingResponseWriter struct {
	http.ResponseWriter
	written bool
}

func NewTrackingResponseWriter(rw http.ResponseWriter) *TrackingResponseWriter {
	return &TrackingResponseWriter{ResponseWriter: rw}
}

func (t *TrackingResponseWriter) WriteHeader(code int) {
	t.written = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *TrackingResponseWriter) Write(b []byte) (int, error) {
	t.written = true
	return t.ResponseWriter.Write(b)
}

func (t *TrackingResponseWriter) HasWritten() bool { return t.written }
