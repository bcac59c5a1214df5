package main

// Logs every hook it is called for, through Tyk's logger, so the order of a
// request's hooks can be read in the gateway's log.

import (
	"net/http"

	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func PreHook(rw http.ResponseWriter, r *http.Request) {
	logger.WithField("path", r.URL.Path).Info("Pre request hook is called")
}

func AuthCheckHook(rw http.ResponseWriter, r *http.Request) {
	logger.Info("Request auth check is called")
}

func PostKeyAuthHook(rw http.ResponseWriter, r *http.Request) {
	logger.Info("Post key auth hook is called")
}

func PostHook(rw http.ResponseWriter, r *http.Request) {
	logger.Info("Post request hook is called")
}

func ResponseHook(rw http.ResponseWriter, res *http.Response, r *http.Request) {
	logger.WithField("status", res.StatusCode).Info("Response hook is called")
}

func init() {
	logger.Info("Plugin bootstrapped")
}

func main() {}
