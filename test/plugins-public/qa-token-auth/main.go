package main

// A QA plugin: a pre hook adding Foo: Bar, and a custom auth hook that
// knows two tokens, each limited to 2 requests per 10 seconds.

import (
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

var (
	logger = log.Get()
	known  = map[string]bool{
		"0e6f3b9a-6a41-4c2e-9d55-2f8f1d0c7a11": true,
		"7c2d8e4f-1b3a-4f6d-8e9c-5a4b3c2d1e0f": true,
	}
)

func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("Foo", "Bar")
}

func AuthCheck(rw http.ResponseWriter, r *http.Request) {
	token := r.Header.Get("Authorization")
	if !known[token] {
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	ctx.SetSession(r, &user.SessionState{
		Alias:    token,
		Rate:     2,
		Per:      10,
		KeyID:    token,
		MetaData: map[string]interface{}{"token": token},
	}, true)
}

func init() {
	logger.Info("QA plugin loaded")
}

func main() {}
