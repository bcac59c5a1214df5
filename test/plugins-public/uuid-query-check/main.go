package main

// QueryParamValidation refuses requests without a "hello" query parameter
// (401) and tags the others with a random request id for the upstream.

import (
	"net/http"

	"github.com/TykTechnologies/tyk/log"
	"github.com/google/uuid"
)

var logger = log.Get()

func QueryParamValidation(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("hello") == "" {
		logger.Warn("query validation: no hello parameter")
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.Header.Set("X-GoPlugin-Random-Id", uuid.New().String())
}

func init() {
	logger.Info("query validation plugin loaded")
}

func main() {}
