package main

import (
	"encoding/json"
	"net/http"
	"time"
)

// SendCurrentTime is the seed's example of answering from a plugin.
func SendCurrentTime(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("get_time") != "1" {
		return
	}
	data, err := json.Marshal(map[string]interface{}{"current_time": time.Now()})
	if err != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusOK)
	rw.Write(data)
}

// Teapot answers 418 with a short plain body.
func Teapot(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("X-Teapot", "yes")
	rw.WriteHeader(http.StatusTeapot)
	rw.Write([]byte("hello"))
}

// HeaderOnly sets a response header without answering.
func HeaderOnly(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("X-From-Plugin", "1")
}

func main() {}
