package main

import "net/http"

// Bodies whose Content-Type Go's net/http sniffs (http.DetectContentType).
var answers = map[string]string{
	"html":   "<html><body>hi</body></html>",
	"binary": "\x00\x01\x02",
	"png":    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
	"pdf":    "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
	"gif":    "GIF89a\x01\x00\x01\x00",
	"jpeg":   "\xff\xd8\xff\xe0\x00\x10JFIF",
	"zip":    "PK\x03\x04\x14\x00",
	"wasm":   "\x00asm\x01\x00\x00\x00",
	"xml":    "<?xml version=\"1.0\"?><a/>",
	"json":   "{\"a\":1}",
	"text":   "plain words",
}

// AnswerKind answers itself per ?kind=: one of the bodies above written
// without a Content-Type and without WriteHeader, or "nocontent" (only
// WriteHeader(204)). Other requests go on.
func AnswerKind(rw http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		return
	}
	rw.Header().Set("X-Answered-By", "lifecycle")
	if kind == "nocontent" {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	if body, ok := answers[kind]; ok {
		rw.Write([]byte(body))
	}
}
