package main

import "net/http"

// Boom panics on every call.
func Boom(rw http.ResponseWriter, r *http.Request) {
	var m map[string]int
	m["x"] = 1
}

func main() {}
