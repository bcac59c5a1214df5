package main

// AddHeaderFromClaim maps the policy a JWT names (its "pol" claim) to a
// value the upstream understands, in X-Tyk-Pol-Val. The token's signature
// is not checked here: Tyk's JWT middleware has done that before a post
// hook runs.

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/TykTechnologies/tyk/headers"
	"github.com/TykTechnologies/tyk/log"
	"github.com/golang-jwt/jwt/v5"
)

const polHeader = "X-Tyk-Pol-Val"

// policy id -> header value
var polValues = map[string]string{
	"5f8d0c1e2a4b6c0011aa0001": "gold",
	"5f8d0c1e2a4b6c0011aa0002": "silver",
	"5f8d0c1e2a4b6c0011aa0003": "bronze",
}

var logger = log.Get()

func bearer(v string) string {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return v[7:]
	}
	return v
}

func AddHeaderFromClaim(rw http.ResponseWriter, r *http.Request) {
	raw := bearer(r.Header.Get(headers.Authorization))
	if raw == "" {
		return
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		logger.WithError(err).Warn("add-header-from-claim: not a JWT")
		return
	}
	pol, ok := claims["pol"]
	if !ok {
		return
	}
	if v, known := polValues[fmt.Sprintf("%v", pol)]; known {
		r.Header.Add(polHeader, v)
	}
}

func main() {}
