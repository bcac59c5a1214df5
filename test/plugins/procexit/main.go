package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Die names the worker process on every answer (X-Worker-Pid), and ends that
// process the way X-Die asks, each a way Go gives no means to contain in
// process: "exit" (os.Exit(3)), "fatal" (the standard library's log.Fatal)
// and "gopanic" (a panic in a goroutine of the plugin's own).
func Die(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("X-Worker-Pid", strconv.Itoa(os.Getpid()))
	switch r.Header.Get("X-Die") {
	case "exit":
		os.Exit(3)
	case "fatal":
		log.Fatal("procexit: giving up")
	case "gopanic":
		go func() { panic("procexit: panic in a goroutine") }()
		time.Sleep(time.Second)
	}
}

func main() {}
