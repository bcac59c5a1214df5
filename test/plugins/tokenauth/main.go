package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/user"
)

// SessionFromToken is an auth_check that builds the session from the token, as many public custom-auth plugins do:
// here the Authorization header is the session itself, as base64url JSON. The token is the key's id.
func SessionFromToken(rw http.ResponseWriter, r *http.Request) {
	token := r.Header.Get("Authorization")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	var session user.SessionState
	if err != nil || json.Unmarshal(raw, &session) != nil {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	session.KeyID = token
	ctx.SetSession(r, &session, false)
}

// MarkSession is a post_key_auth hook written for Tyk: it writes into the session's MetaData (a nil map panics), tells
// the upstream the session it got (X-Pka-Session) and whether it saw the key (X-Pka-Saw-Auth), and, when asked
// (X-Set-Policy), makes the session use a policy.
func MarkSession(rw http.ResponseWriter, r *http.Request) {
	s := ctx.GetSession(r)
	s.MetaData["post_key_auth"] = "seen"
	rights := []string{}
	for id := range s.AccessRights {
		rights = append(rights, id)
	}
	sort.Strings(rights)
	view, _ := json.Marshal(map[string]interface{}{
		"rate":        s.Rate,
		"per":         s.Per,
		"quota_max":   s.QuotaMax,
		"rights":      rights,
		"tags":        s.Tags,
		"meta_data":   s.MetaData,
		"is_inactive": s.IsInactive,
	})
	r.Header.Set("X-Pka-Session", string(view))
	sawAuth := "no"
	if r.Header.Get("Authorization") != "" {
		sawAuth = "yes"
	}
	r.Header.Set("X-Pka-Saw-Auth", sawAuth)
	if p := r.Header.Get("X-Set-Policy"); p != "" {
		s.ApplyPolicies = []string{p}
	}
}

type authSessionKey struct{}

// TypedSessionFromToken is SessionFromToken keeping Go types a later hook relies on: with X-Int-Level it puts an int
// into MetaData["level"], and it keeps the session it set in the request context for ReportTypedSession.
func TypedSessionFromToken(rw http.ResponseWriter, r *http.Request) {
	SessionFromToken(rw, r)
	s := ctx.GetSession(r)
	if s == nil {
		return
	}
	if r.Header.Get("X-Int-Level") != "" {
		if s.MetaData == nil {
			s.MetaData = map[string]interface{}{}
		}
		s.MetaData["level"] = 2
	}
	*r = *r.WithContext(context.WithValue(r.Context(), authSessionKey{}, s))
}

// ReportTypedSession is a post_key_auth hook telling the upstream whether it got the very session object the
// auth_check set (X-Same-Session), the Go type of MetaData["level"] (X-Level-Type), MetaData["tier"] (X-Tier),
// whether MetaData is nil (X-Meta-Nil), and the allowance scope of the "typed" API's access right (X-Scope).
func ReportTypedSession(rw http.ResponseWriter, r *http.Request) {
	s := ctx.GetSession(r)
	set, _ := r.Context().Value(authSessionKey{}).(*user.SessionState)
	r.Header.Set("X-Same-Session", fmt.Sprint(s != nil && s == set))
	if s == nil {
		return
	}
	r.Header.Set("X-Level-Type", fmt.Sprintf("%T", s.MetaData["level"]))
	r.Header.Set("X-Tier", fmt.Sprint(s.MetaData["tier"]))
	r.Header.Set("X-Meta-Nil", fmt.Sprint(s.MetaData == nil))
	r.Header.Set("X-Scope", s.AccessRights["typed"].AllowanceScope)
}

func main() {}
