package main

// Plugins with the behaviour of the ones Tyk's own gateway tests use, so our
// end-to-end tests check the same observable results Tyk checks.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/header"
	"github.com/TykTechnologies/tyk/user"
)

// Pre must run before auth: it fails if a session is already there.
func Pre(rw http.ResponseWriter, r *http.Request) {
	if ctx.GetSession(r) != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Add(header.XInitialURI, r.URL.RequestURI())
}

// AuthCheck accepts only the token "abc" and saves its session.
func AuthCheck(rw http.ResponseWriter, r *http.Request) {
	token := r.Header.Get(header.Authorization)
	if token != "abc" {
		rw.Header().Add(header.XAuthResult, "failed")
		rw.WriteHeader(http.StatusForbidden)
		rw.Write([]byte("auth failed"))
		return
	}
	ctx.SetSession(r, &user.SessionState{OrgID: "default", Alias: "abc-session", KeyID: token}, true, true)
	rw.Header().Add(header.XAuthResult, "OK")
}

// PostKeyAuth needs the session auth set.
func PostKeyAuth(rw http.ResponseWriter, r *http.Request) {
	s := ctx.GetSession(r)
	if s == nil {
		rw.Header().Add(header.XSessionAlias, "not found")
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	rw.Header().Add(header.XSessionAlias, s.Alias)
}

func pluginData(r *http.Request) string {
	if d := ctx.GetDefinition(r); d != nil {
		if v, ok := d.ConfigData["my-context-data"].(string); ok && v != "" {
			return v
		}
	}
	return "null"
}

// Post answers with a JSON message and the API's config_data.
func Post(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Add("X-Plugin-Data", pluginData(r))
	rw.Header().Set(header.ContentType, header.ApplicationJSON)
	rw.WriteHeader(http.StatusOK)
	json.NewEncoder(rw).Encode(map[string]string{"message": "post message"})
}

// Response replaces the upstream's body.
func Response(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Add("X-Response-Added", "resp-added")
	res.Body = io.NopCloser(bytes.NewBufferString(`{"message":"response injected message"}`))
	res.Header.Add("X-Plugin-Data", pluginData(req))
}

// PerPathFoo and PerPathBar tag the response; PerPathResp answers.
func PerPathFoo(rw http.ResponseWriter, r *http.Request) { rw.Header().Add("X-foo", "foo") }
func PerPathBar(rw http.ResponseWriter, r *http.Request) { rw.Header().Add("X-bar", "bar") }
func PerPathResp(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusOK)
	rw.Write([]byte(`{"current_time":"now"}`))
}

// OASTitle reads the OAS definition (nil on Classic APIs: then it panics, as Tyk's would).
func OASTitle(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Add("X-OAS-Doc-Title", ctx.GetOASDefinition(r).Info.Title)
}

// Rewrite changes method, path, query and body of the request.
func Rewrite(rw http.ResponseWriter, r *http.Request) {
	r.Method = http.MethodPut
	r.URL.Path = "/rewritten"
	q := r.URL.Query()
	q.Set("added", "1")
	r.URL.RawQuery = q.Encode()
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(append([]byte("plugin saw: "), b...)))
	r.Header.Del("X-Remove-Me")
}

func main() {}
