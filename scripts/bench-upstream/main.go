// A minimal, fast upstream for the benchmarks: answers every request with a
// small JSON body. Go's net/http, so it is not the bottleneck being measured.
package main

import (
	"net/http"
	"os"
)

func main() {
	body := []byte(`{"ok":true,"message":"hello from the upstream"}`)
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
}
