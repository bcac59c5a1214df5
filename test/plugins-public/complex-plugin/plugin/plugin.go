package plugin

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/header"
	"github.com/TykTechnologies/tyk/user"
)

func configValue(def map[string]interface{}) string {
	if s, ok := def["my-context-data"].(string); ok && s != "" {
		return s
	}
	return "null"
}

// Pre refuses requests that already carry a session, and records the URI
// the client asked for.
func Pre(rw http.ResponseWriter, r *http.Request) {
	if ctx.GetSession(r) != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Add(header.XInitialURI, r.URL.RequestURI())
}

// AuthCheck knows one key, "abc".
func AuthCheck(rw http.ResponseWriter, r *http.Request) {
	token := r.Header.Get(header.Authorization)
	if token != "abc" {
		rw.Header().Add(header.XAuthResult, "failed")
		rw.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(rw, "auth failed")
		return
	}
	ctx.SetSession(r, &user.SessionState{OrgID: "default", Alias: "abc-session", KeyID: token}, true, true)
	rw.Header().Add(header.XAuthResult, "OK")
}

// PostKeyAuth names the session's alias.
func PostKeyAuth(rw http.ResponseWriter, r *http.Request) {
	s := ctx.GetSession(r)
	if s == nil {
		rw.Header().Add(header.XSessionAlias, "not found")
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Add(header.XSessionAlias, s.Alias)
}

// Post answers the request itself.
func Post(rw http.ResponseWriter, r *http.Request) {
	data := "null"
	if def := ctx.GetDefinition(r); def != nil {
		data = configValue(def.ConfigData)
	}
	rw.Header().Add("X-Plugin-Data", data)
	rw.Header().Set(header.ContentType, header.ApplicationJSON)
	rw.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(rw).Encode(map[string]string{"message": "post message"})
}

// Response replaces the upstream's body.
func Response(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Add("X-Response-Added", "resp-added")
	res.Body = io.NopCloser(strings.NewReader(`{"message":"response injected message"}`))
	data := "null"
	if def := ctx.GetDefinition(req); def != nil {
		data = configValue(def.ConfigData)
	}
	res.Header.Add("X-Plugin-Data", data)
}

// PerPathFoo marks responses of its endpoint.
func PerPathFoo(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Add("X-foo", "foo")
}

// PerPathResp answers its endpoint.
func PerPathResp(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set(header.ContentType, header.ApplicationJSON)
	rw.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(rw, `{"current_time":"now"}`)
}
