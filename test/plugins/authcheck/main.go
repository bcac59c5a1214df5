package main

import (
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/headers"
	"github.com/TykTechnologies/tyk/user"
)

func getSessionByKey(key string) *user.SessionState {
	if key != "abc" {
		return nil
	}
	return &user.SessionState{
		OrgID: "default",
		Alias: "abc-session",
		MetaData: map[string]interface{}{
			"tyk_developer_id":    "dev-1",
			"tyk_developer_email": "dev@example.com",
		},
	}
}

// MyPluginAuthCheck is the seed's custom authentication example.
func MyPluginAuthCheck(rw http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(headers.Authorization)
	session := getSessionByKey(key)
	if session == nil {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	ctx.SetSession(r, session, true)
}

func main() {}
