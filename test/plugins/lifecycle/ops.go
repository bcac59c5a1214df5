package main

import (
	"net/http"
	"strconv"
	"time"
)

// BlockWhenAsked is quick, except that with X-Block: 1 it never returns.
func BlockWhenAsked(rw http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Block") == "1" {
		select {}
	}
	r.Header.Set("X-Quick", "1")
}

// Busy sleeps for X-Sleep-Ms, answers itself with X-Answer: 1, panics with
// X-Panic: 1, and otherwise marks the request and lets it go on.
func Busy(rw http.ResponseWriter, r *http.Request) {
	if ms, err := strconv.Atoi(r.Header.Get("X-Sleep-Ms")); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if r.Header.Get("X-Panic") == "1" {
		panic("asked to panic")
	}
	if r.Header.Get("X-Answer") == "1" {
		rw.WriteHeader(http.StatusOK)
		rw.Write([]byte("answered by Busy"))
		return
	}
	r.Header.Set("X-Busy", "passed")
}

// Mark tags the request for the upstream.
func Mark(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Marked", "1")
}

// MarkResponse tags the response.
func MarkResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Set("X-Marked-Response", "1")
}

// WaitForContext waits until the request's context is done (the client left,
// or the gateway ended the request), at most 20 s, as a plugin making an
// outbound call with r.Context() does.
func WaitForContext(rw http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(20 * time.Second):
	}
}
