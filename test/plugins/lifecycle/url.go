package main

import "net/http"

// URLSetRelativePath sets a path without a leading slash, as plugins do.
func URLSetRelativePath(rw http.ResponseWriter, r *http.Request) {
	r.URL.Path = "svc-v1/"
}

// URLAfter runs after another hook changed the URL and reports the path.
func URLAfter(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Post-Path", r.URL.Path)
}

// URLAddQuery adds a query parameter.
func URLAddQuery(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	q.Set("added", "1")
	r.URL.RawQuery = q.Encode()
}

// URLReadQuery reads the parameter URLAddQuery added.
func URLReadQuery(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Added", r.URL.Query().Get("added"))
}

// URLShowPath reports the URL as Go parsed it.
func URLShowPath(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Path", r.URL.Path)
	r.Header.Set("X-Raw-Path", r.URL.RawPath)
	r.Header.Set("X-Escaped-Path", r.URL.EscapedPath())
	r.Header.Set("X-Request-Uri", r.RequestURI)
}

// ResponseShowRequest reports, on the response, the request its hook got.
func ResponseShowRequest(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Set("X-Req-Path", req.URL.Path)
	res.Header.Set("X-Req-Host", req.URL.Host)
	res.Header.Set("X-Req-Scheme", req.URL.Scheme)
	res.Header.Set("X-Req-Query", req.URL.RawQuery)
}
