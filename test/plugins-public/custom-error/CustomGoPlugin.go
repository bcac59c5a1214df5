package main

// ReturnError answers with one of the API's own error documents when the
// errorHeader request header names one (400 to 403); other requests go on.

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/TykTechnologies/tyk/header"
	"github.com/TykTechnologies/tyk/log"
)

var (
	logger   = log.Get()
	messages = map[string]string{
		"400": "Bad request, as the plugin decided.",
		"401": "Who are you? The plugin wants to know.",
		"402": "The plugin would like to be paid.",
		"403": "The plugin says no.",
	}
)

func ReturnError(rw http.ResponseWriter, r *http.Request) {
	code := r.Header.Get("errorHeader")
	msg, ok := messages[code]
	if !ok {
		return
	}
	body, err := json.Marshal(map[string]string{code: msg})
	if err != nil {
		return
	}
	status, _ := strconv.Atoi(code)
	logger.Info("custom error ", status)
	rw.Header().Set(header.ContentType, header.ApplicationJSON)
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

func main() {}
