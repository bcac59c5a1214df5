package main

// OAuthIntrospection is a custom authentication plugin (auth_check): the
// bearer token is introspected at the identity provider (RFC 7662, the
// gateway authenticating with client credentials), and an active token
// becomes a Tyk session for this API, with the token's identity in the
// session's metadata and in X-OAuth-* headers for the upstream.
//
// config_data: introspection_url, client_id, client_secret.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

type introspectionResponse struct {
	Active    bool   `json:"active"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
	Scope     string `json:"scope,omitempty"`
	TokenType string `json:"token_type,omitempty"`
}

var (
	logger = log.Get()
	client = &http.Client{Timeout: 10 * time.Second}
)

func config(def *apidef.APIDefinition, name string) string {
	s, _ := def.ConfigData[name].(string)
	return s
}

func problem(rw http.ResponseWriter, status int, code, description string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = fmt.Fprintf(rw, `{"error": %q, "error_description": %q}`, code, description)
}

func introspect(def *apidef.APIDefinition, token string) (*introspectionResponse, error) {
	form := url.Values{"token": {token}}
	req, err := http.NewRequest(http.MethodPost, config(def, "introspection_url"), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(config(def, "client_id"), config(def, "client_secret"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("introspection endpoint answered %d: %s", res.StatusCode, body)
	}
	var out introspectionResponse
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func sessionFor(def *apidef.APIDefinition, token string, ir *introspectionResponse) *user.SessionState {
	who := ir.Sub
	if who == "" {
		who = ir.ClientID
	}
	if who == "" {
		who = "unknown"
	}
	// The token's remaining lifetime, in seconds.
	var expires int64
	if ir.Exp > 0 {
		if expires = ir.Exp - time.Now().Unix(); expires < 0 {
			expires = 0
		}
	}
	return &user.SessionState{
		OrgID:         def.OrgID,
		Alias:         "oauth-session-" + who,
		Rate:          1000,
		Per:           1,
		Expires:       expires,
		BasicAuthData: user.BasicAuthData{Password: token},
		AccessRights:  map[string]user.AccessDefinition{def.APIID: {APIID: def.APIID, APIName: def.Name}},
		MetaData: map[string]interface{}{
			"oauth_client_id": ir.ClientID,
			"oauth_username":  ir.Username,
			"oauth_subject":   ir.Sub,
			"oauth_scope":     ir.Scope,
			"oauth_audience":  ir.Aud,
			"oauth_issuer":    ir.Iss,
		},
	}
}

func OAuthIntrospection(rw http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" || token == r.Header.Get("Authorization") {
		problem(rw, http.StatusUnauthorized, "missing_token", "Bearer token is required")
		return
	}
	def := ctx.GetDefinition(r)
	ir, err := introspect(def, token)
	if err != nil {
		logger.Error("token introspection failed: ", err)
		problem(rw, http.StatusInternalServerError, "introspection_failed", "Failed to introspect token")
		return
	}
	if !ir.Active {
		problem(rw, http.StatusUnauthorized, "invalid_token", "Token is not active")
		return
	}
	ctx.SetSession(r, sessionFor(def, token, ir), false)
	r.Header.Set("X-OAuth-Client-ID", ir.ClientID)
	r.Header.Set("X-OAuth-Username", ir.Username)
	r.Header.Set("X-OAuth-Subject", ir.Sub)
	r.Header.Set("X-OAuth-Scope", ir.Scope)
}

func init() {
	logger.Info("OAuth introspection plugin loaded")
}

func main() {}
