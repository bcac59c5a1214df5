package main

import "bytes"

// Async calls: the plugin runs on its own goroutine, the result is parked,
// and one notifier goroutine tells the runtime through the completion
// callback. One notifier because Deno's thread-safe callbacks block the
// calling thread until JavaScript has run them.

var completions = make(chan uint32, 1024)

var notifierStarted bool

func startNotifier() {
	if notifierStarted {
		return
	}
	notifierStarted = true
	go func() {
		for id := range completions {
			fire(id)
		}
	}()
}

func startAsync(id uint32, p *loadedPlugin, a *apiEntry, borrowed []byte) bool {
	parkedMu.Lock()
	if _, busy := parked[id]; busy {
		parkedMu.Unlock()
		return false
	}
	pc := &parkedCall{}
	parked[id] = pc
	parkedMu.Unlock()
	in := bytes.Clone(borrowed)
	go func() {
		var gid uint64
		status, frame := execute(p, a, in,
			func(l *callLogs) { gid = goid(); asyncCalls.Store(gid, l) },
			func() { asyncCalls.Delete(gid) })
		parkedMu.Lock()
		if pc.abandoned {
			delete(parked, id)
			parkedMu.Unlock()
			return
		}
		pc.done, pc.status, pc.frame = true, status, frame
		parkedMu.Unlock()
		completions <- id
	}()
	return true
}
