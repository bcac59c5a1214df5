package main

import (
	"net/http"
	"time"

	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func init() {
	logger.WithField("stage", "init").Info("initlog plugin loaded")
}

// LogLater logs from a goroutine after the call has returned.
func LogLater(rw http.ResponseWriter, r *http.Request) {
	go func() {
		time.Sleep(10 * time.Millisecond)
		logger.Warn("logged after the call")
	}()
}

func main() {}
