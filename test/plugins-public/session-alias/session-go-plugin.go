package main

// MyPluginAuthCheck: custom authentication accepting one key, "abc", as the
// session "abc-session", saved by the gateway (scheduled update).
// LogSession (post): prints the session's alias on the process's standard
// output, as quick debugging code often does.

import (
	"fmt"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/headers"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

var logger = log.Get()

func sessionFor(key string) *user.SessionState {
	if key != "abc" {
		return nil
	}
	return &user.SessionState{OrgID: "default", Alias: "abc-session", KeyID: key}
}

func MyPluginAuthCheck(rw http.ResponseWriter, r *http.Request) {
	session := sessionFor(r.Header.Get(headers.Authorization))
	if session == nil {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	ctx.SetSession(r, session, true)
}

func LogSession(rw http.ResponseWriter, r *http.Request) {
	session := ctx.GetSession(r)
	n, err := fmt.Println("Session alias:", session.Alias)
	logger.Info("printed ", n, " bytes, error: ", err)
}

func init() {
	logger.Info("Initialising Custom Go Session Plugin")
}

func main() {}
