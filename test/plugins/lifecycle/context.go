package main

import (
	"context"
	"fmt"
	"net/http"
)

// An unexported key type, as plugins use, so no other package collides.
type ctxKey string

const lifecycleKey ctxKey = "lifecycle"

// CtxValue is what CtxSet stores under lifecycleKey.
const CtxValue = "set-by-pre"

// CtxSet stores a value in the request's context, replacing *r so that the
// gateway's pointer sees it.
func CtxSet(rw http.ResponseWriter, r *http.Request) {
	*r = *r.WithContext(context.WithValue(r.Context(), lifecycleKey, CtxValue))
}

func ctxValue(r *http.Request) string {
	if v, ok := r.Context().Value(lifecycleKey).(string); ok {
		return v
	}
	return "<missing>"
}

// CtxPost copies the value into a request header for the upstream.
func CtxPost(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Ctx-Post", ctxValue(r))
}

// CtxResponse copies the value into a response header.
func CtxResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Set("X-Ctx-Response", ctxValue(req))
}

// CtxVirtual is a Go virtual endpoint answering with the value.
func CtxVirtual(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/plain")
	rw.WriteHeader(http.StatusOK)
	fmt.Fprintf(rw, "ctx=%s", ctxValue(r))
}
