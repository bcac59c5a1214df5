package main

// AddJwsHeader signs a JWT (RS256) with the gateway's private key and sends
// it upstream in the "Jwt" header, so the upstream can check the request
// came through the gateway. The key is read once, when the plugin loads,
// from the JSON file named by $TYK_JWT_PLUGIN_CONFIG (default
// /opt/tyk-plugins/tyk-jwt.json): {"jwtKeyFile": "...pem"}.

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"os"
	"time"

	"github.com/TykTechnologies/tyk/log"
	"github.com/golang-jwt/jwt/v4"
)

type pluginConfig struct {
	JwtKeyFile string `json:"jwtKeyFile"`
	Issuer     string `json:"issuer"`
}

type gatewayClaims struct {
	Nbf int64 `json:"nbf"`
	jwt.RegisteredClaims
}

var (
	logger     = log.Get()
	signingKey *rsa.PrivateKey
	issuer     string
)

func init() {
	file := os.Getenv("TYK_JWT_PLUGIN_CONFIG")
	if file == "" {
		file = "/opt/tyk-plugins/tyk-jwt.json"
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		logger.Error("jwt-plugin: cannot read ", file, ": ", err)
		return
	}
	var conf pluginConfig
	if err := json.Unmarshal(raw, &conf); err != nil {
		logger.Error("jwt-plugin: ", file, ": ", err)
		return
	}
	pem, err := os.ReadFile(conf.JwtKeyFile)
	if err != nil {
		logger.Error("jwt-plugin: cannot read key: ", err)
		return
	}
	if signingKey, err = jwt.ParseRSAPrivateKeyFromPEM(pem); err != nil {
		logger.Error("jwt-plugin: bad key: ", err)
		return
	}
	issuer = conf.Issuer
	logger.Info("jwt-plugin: signing key loaded")
}

func AddJwsHeader(rw http.ResponseWriter, r *http.Request) {
	if signingKey == nil {
		logger.Error("jwt-plugin: no signing key, request sent unsigned")
		return
	}
	claims := gatewayClaims{
		Nbf: time.Date(2015, 10, 10, 12, 0, 0, 0, time.UTC).Unix(),
		RegisteredClaims: jwt.RegisteredClaims{Issuer: issuer, Subject: r.Method + " " + r.URL.Path},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(signingKey)
	if err != nil {
		logger.Error("jwt-plugin: signing failed: ", err)
		return
	}
	r.Header.Add("Jwt", signed)
}

func main() {}
