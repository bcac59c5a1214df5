package main

import (
	"net/http"
	"os"
	"time"
)

// Its init does not return while the file named by TYKGW_TEST_INIT_GATE
// exists (or for ever when the variable is set and the file never goes):
// a plugin whose init hangs, as one waiting on a server that never answers.
func init() {
	gate := os.Getenv("TYKGW_TEST_INIT_GATE")
	for gate != "" {
		if _, err := os.Stat(gate); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Hello answers 200 "initblock ready" once init has returned.
func Hello(rw http.ResponseWriter, r *http.Request) {
	rw.Write([]byte("initblock ready"))
}

func main() {}
