// Package oauth2 holds the shape of golang.org/x/oauth2's Token and
// TokenSource, which Tyk keeps (never encoded) on an API definition's
// upstream OAuth settings, without that dependency. This gateway sets
// neither.
package oauth2

import "time"

// Token is an OAuth 2.0 token.
type Token struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	ExpiresIn    int64     `json:"expires_in,omitempty"`
}

// TokenSource gives tokens.
type TokenSource interface {
	Token() (*Token, error)
}
