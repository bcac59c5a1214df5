package main

// Reads the claims of the JWT in Authorization (without verifying it: the
// gateway's own JWT check, or none, comes before this) and tells the
// upstream which policy the token names, in X-JWT-Policy-Id.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func payloadOf(token string) (map[string]interface{}, bool) {
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bearer "))
	segments := strings.Split(token, ".")
	if len(segments) != 3 {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(segments[1])
	if err != nil {
		logger.Info("jwt payload is not base64url: ", err)
		return nil, false
	}
	claims := map[string]interface{}{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		logger.Info("jwt payload is not JSON: ", err)
		return nil, false
	}
	return claims, true
}

// ParseJWT adds X-JWT-Policy-Id from the token's "pol" claim.
func ParseJWT(rw http.ResponseWriter, r *http.Request) {
	claims, ok := payloadOf(r.Header.Get("Authorization"))
	if !ok {
		return
	}
	if pol, isString := claims["pol"].(string); isString {
		logger.WithField("pol", pol).Info("policy claim found")
		r.Header.Add("X-JWT-Policy-Id", pol)
	}
}

func init() {
	logger.Info("JWT policy claim plugin loaded")
}

func main() {}
