package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

// A plugin that prints instead of logging: to standard output (fmt, its own
// writes to os.Stdout) and through the standard library's log (stderr).
func init() {
	fmt.Println("printer: hello from init")
}

// Print prints a line, a line too long to keep whole, and a log line.
func Print(rw http.ResponseWriter, r *http.Request) {
	fmt.Printf("printer: %s %s\n", r.Method, r.URL.Path)
	os.Stdout.WriteString("printer: long " + strings.Repeat("x", 100_000) + "\n")
	log.Println("printer: standard log")
}

func main() {}
