package main

import "net/http"

// Its init panics, so the plugin never loads (issue 9 item 6).
func init() {
	panic("initpanic: this plugin refuses to start")
}

// Hook is never reached.
func Hook(rw http.ResponseWriter, r *http.Request) {}

func main() {}
