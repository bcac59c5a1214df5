package main

// One exported hook running a chain of the module's own middleware, each
// of which may answer; the chain stops at the first that does.

import (
	"net/http"

	"plugin-dev/middleware"
	"plugin-dev/util/tools"
)

func MiddlewareChain(rw http.ResponseWriter, r *http.Request) {
	trw := tools.NewTrackingResponseWriter(rw)
	for _, step := range []func(http.ResponseWriter, *http.Request){
		middleware.ValidateHeaders,
		middleware.AddFooBarHeader,
		middleware.AddApiKeyToHeader,
	} {
		step(trw, r)
		if trw.HasWritten() {
			return
		}
	}
}

func main() {}
