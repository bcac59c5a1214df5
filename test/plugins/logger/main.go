package main

import (
	"net/http"

	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()


// AddFooBarHeader logs through Tyk's logger, as in the seed.
func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	logger.Info("Processing HTTP request in Golang plugin!!")
	logger.WithField("path", r.URL.Path).Warn("with a field")
	r.Header.Add("Foo", "Bar")
}

// Fatal calls logger.Fatal, which in Tyk would exit the process.
func Fatal(rw http.ResponseWriter, r *http.Request) {
	logger.Fatal("giving up")
}

func main() {}
