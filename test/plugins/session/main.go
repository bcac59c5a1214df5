package main

import (
	"fmt"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
)

// ShowSession copies session facts into request headers for the upstream.
func ShowSession(rw http.ResponseWriter, r *http.Request) {
	session := ctx.GetSession(r)
	if session == nil {
		r.Header.Set("X-Session", "none")
		return
	}
	r.Header.Set("X-Developer-Id", fmt.Sprint(session.MetaData["tyk_developer_id"]))
	r.Header.Set("X-Developer-Email", fmt.Sprint(session.MetaData["tyk_developer_email"]))
	r.Header.Set("X-Session-Alias", session.Alias)
	r.Header.Set("X-Auth-Token", ctx.GetAuthToken(r))
}

// TagSession changes the session in place and schedules an update.
func TagSession(rw http.ResponseWriter, r *http.Request) {
	session := ctx.GetSession(r)
	if session == nil {
		return
	}
	session.Tags = append(session.Tags, "seen-by-plugin")
	ctx.SetSession(r, session, true)
}

func main() {}
