package main

import (
	"fmt"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/headers"
	"github.com/TykTechnologies/tyk/user"
)

type nested struct{ A int }

// SessionAuth accepts the token "lifecycle-token" with a session whose
// metadata holds Go values that JSON would not give back as they were.
func SessionAuth(rw http.ResponseWriter, r *http.Request) {
	if r.Header.Get(headers.Authorization) != "lifecycle-token" {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	ctx.SetSession(r, &user.SessionState{
		KeyID:    "lifecycle-token",
		OrgID:    "default",
		Alias:    "lifecycle",
		Rate:     1000,
		Per:      1,
		QuotaMax: -1,
		MetaData: map[string]interface{}{
			"tier":   2,
			"big":    int64(5),
			"nested": nested{A: 1},
		},
	}, false)
}

func reportSessionTypes(r *http.Request, prefix string) {
	s := ctx.GetSession(r)
	if s == nil {
		r.Header.Set(prefix+"-Session", "none")
		return
	}
	r.Header.Set(prefix+"-Session", s.Alias)
	r.Header.Set(prefix+"-Tier", fmt.Sprintf("%T", s.MetaData["tier"]))
	r.Header.Set(prefix+"-Big", fmt.Sprintf("%T", s.MetaData["big"]))
	r.Header.Set(prefix+"-Nested", fmt.Sprintf("%T", s.MetaData["nested"]))
	r.Header.Set(prefix+"-Nested-Value", fmt.Sprintf("%+v", s.MetaData["nested"]))
}

// SessionTypesPostKeyAuth and SessionTypesPost report the Go types of the
// session's metadata values.
func SessionTypesPostKeyAuth(rw http.ResponseWriter, r *http.Request) { reportSessionTypes(r, "X-Pka") }

func SessionTypesPost(rw http.ResponseWriter, r *http.Request) { reportSessionTypes(r, "X-Post") }

// SessionLimitInPlace lowers the session's rate limit in place, without
// SetSession: in Tyk the rate limiter after post_key_auth enforces it.
func SessionLimitInPlace(rw http.ResponseWriter, r *http.Request) {
	if s := ctx.GetSession(r); s != nil {
		s.Rate, s.Per = 1, 60
	}
}
