package main

// OAuth2Introspect checks the request's access token with an OAuth 2.0
// authorization server (RFC 7662 token introspection) before it goes
// upstream. The endpoint and the credential the gateway presents to it come
// from the environment when the plugin loads:
//
//	OAUTH2_INTROSPECT_ENDPOINT       e.g. https://as.example/oauth2/introspect
//	OAUTH2_INTROSPECT_AUTHORIZATION  the Authorization header value to send
//
// The token is taken from "Authorization: Bearer ...", else from an
// access_token form field. Active tokens pass with their scope in
// X-Tyk-Plugin-OAuth2Introspect-Scope and without the Authorization header.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/TykTechnologies/tyk/log"
)

const authHeader = "Authorization"

type introspection struct {
	Active bool    `json:"active"`
	Scope  *string `json:"scope,omitempty"`
}

var (
	logger    = log.Get()
	client    = &http.Client{Timeout: 10 * time.Second}
	endpoint  string
	asCredHdr string
)

func init() {
	endpoint = os.Getenv("OAUTH2_INTROSPECT_ENDPOINT")
	asCredHdr = os.Getenv("OAUTH2_INTROSPECT_AUTHORIZATION")
	logger.Info("oauth2 introspection: endpoint ", endpoint)
}

func fail(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
	_, _ = w.Write([]byte(http.StatusText(status)))
}

func tokenOf(r *http.Request) string {
	parts := strings.SplitN(r.Header.Get(authHeader), " ", 2)
	if len(parts) == 2 && strings.EqualFold(parts[0], "bearer") {
		return parts[1]
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		return ""
	}
	return r.Form.Get("access_token")
}

func OAuth2Introspect(w http.ResponseWriter, r *http.Request) {
	token := tokenOf(r)
	if token == "" {
		logger.Debug("oauth2 introspection: no token")
		fail(w, http.StatusUnauthorized)
		return
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}.Encode()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form))
	if err != nil {
		fail(w, http.StatusInternalServerError)
		return
	}
	req.Header.Set(authHeader, asCredHdr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Content-Length", strconv.Itoa(len(form)))
	res, err := client.Do(req)
	if err != nil {
		logger.Error("oauth2 introspection: authorization server unreachable: ", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusUnauthorized {
		// Our own credentials were refused: not the client's fault.
		logger.Error("oauth2 introspection: the gateway may not introspect")
		fail(w, http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		fail(w, http.StatusInternalServerError)
		return
	}
	var result introspection
	if err := json.Unmarshal(body, &result); err != nil {
		logger.Error("oauth2 introspection: answer is not JSON: ", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	if !result.Active {
		fail(w, http.StatusUnauthorized)
		return
	}
	if result.Scope != nil {
		r.Header.Set("X-Tyk-Plugin-OAuth2Introspect-Scope", *result.Scope)
	}
	r.Header.Del(authHeader)
}

func main() {}
