package main

// UpstreamOAuth gives the upstream its own OAuth 2.0 access token: the
// gateway gets one with the client credentials grant, keeps it while it has
// more than requestInFlightTime to live, and sends it as
// "Authorization: Bearer ...". Credentials come from the environment when
// the plugin loads: TYK_CUSTOM_OAUTH_CLIENT_ID, TYK_CUSTOM_OAUTH_CLIENT_SECRET,
// TYK_CUSTOM_OAUTH_TOKEN_ENDPOINT. (The original keeps the token in Tyk's
// Redis; Tyk's storage package is not a plugin API here, so it is kept in
// memory, per gateway.)

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/TykTechnologies/tyk/log"
)

const requestInFlightTime = 500 * time.Millisecond

type accessToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

var (
	logger        = log.Get()
	clientID      string
	clientSecret  string
	tokenEndpoint string

	mu      sync.Mutex
	cached  string
	expires time.Time
)

func init() {
	clientID = os.Getenv("TYK_CUSTOM_OAUTH_CLIENT_ID")
	clientSecret = os.Getenv("TYK_CUSTOM_OAUTH_CLIENT_SECRET")
	tokenEndpoint = os.Getenv("TYK_CUSTOM_OAUTH_TOKEN_ENDPOINT")
	for name, v := range map[string]string{"TYK_CUSTOM_OAUTH_CLIENT_ID": clientID, "TYK_CUSTOM_OAUTH_CLIENT_SECRET": clientSecret, "TYK_CUSTOM_OAUTH_TOKEN_ENDPOINT": tokenEndpoint} {
		if v == "" {
			logger.Error(name + " environment variable is not set")
		}
	}
	logger.Info("upstream OAuth plugin loaded")
}

func fetchToken() (string, int64, error) {
	form := url.Values{"client_id": {clientID}, "client_secret": {clientSecret}, "grant_type": {"client_credentials"}}
	res, err := http.Post(tokenEndpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("token endpoint answered %d", res.StatusCode)
	}
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", 0, err
	}
	var tok accessToken
	if err := json.Unmarshal(raw, &tok); err != nil {
		return "", 0, err
	}
	return tok.AccessToken, tok.ExpiresIn, nil
}

func UpstreamOAuth(rw http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	if cached == "" || time.Until(expires) <= requestInFlightTime {
		tok, ttl, err := fetchToken()
		if err != nil {
			logger.Error("upstream OAuth: ", err)
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		cached, expires = tok, time.Now().Add(time.Duration(ttl)*time.Second)
	}
	r.Header.Set("Authorization", "Bearer "+cached)
}

func main() {}
