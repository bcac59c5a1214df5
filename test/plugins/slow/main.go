package main

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

var inFlight, maxInFlight int64

// Sleep200 blocks for 200 ms and reports how many of its calls overlapped.
func Sleep200(rw http.ResponseWriter, r *http.Request) {
	n := atomic.AddInt64(&inFlight, 1)
	for {
		m := atomic.LoadInt64(&maxInFlight)
		if n <= m || atomic.CompareAndSwapInt64(&maxInFlight, m, n) {
			break
		}
	}
	time.Sleep(200 * time.Millisecond)
	atomic.AddInt64(&inFlight, -1)
	r.Header.Set("X-Max-In-Flight", strconv.FormatInt(atomic.LoadInt64(&maxInFlight), 10))
}

func main() {}

// SleepIfAsked sleeps for X-Sleep-Ms milliseconds, and is instant without it.
func SleepIfAsked(rw http.ResponseWriter, r *http.Request) {
	if ms, err := strconv.Atoi(r.Header.Get("X-Sleep-Ms")); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}
