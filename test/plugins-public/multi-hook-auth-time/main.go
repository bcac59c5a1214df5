package main

// Two hooks of one plugin: a custom auth check that accepts a single key,
// and a post hook that either answers with the gateway's current time
// (?get_time=yes) or stamps it on the request before it goes upstream.

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/headers"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

var logger = log.Get()

func writeJSON(rw http.ResponseWriter, status int, body map[string]string) {
	data, err := json.Marshal(body)
	if err != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = rw.Write(data)
}

// lookupSession stands for a database lookup: one key is known.
func lookupSession(key string) *user.SessionState {
	if key != "abc" {
		return nil
	}
	return &user.SessionState{OrgID: "default", Alias: "abc-session"}
}

func MyPluginCustomAuthCheck(rw http.ResponseWriter, r *http.Request) {
	api := ctx.GetDefinition(r)
	key := r.Header.Get(headers.Authorization)
	session := lookupSession(key)
	if session == nil {
		logger.WithField("api-name", api.Name).Info("custom auth: refused")
		writeJSON(rw, http.StatusForbidden, map[string]string{"reason": "Access forbidden"})
		return
	}
	session.KeyID = key
	ctx.SetSession(r, session, true)
}

func ResponseSendCurrentTime(rw http.ResponseWriter, r *http.Request) {
	api := ctx.GetDefinition(r)
	logger.WithField("api-name", api.Name).Info("post hook")
	r.Header.Add("Foo", "Bar")
	now := time.Now().Format(time.RFC3339Nano)
	if r.URL.Query().Get("get_time") != "yes" {
		r.Header.Add("current_time", now)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]string{"current_time": now})
}

func init() {
	logger.Info("multiple hook example loaded")
}

func main() {}
