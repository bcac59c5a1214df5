package main

// The gateway's standard output carries its JSON log records and nothing
// else. Plugins share it with the gateway, so what Go code writes to
// os.Stdout (fmt.Print*, os.Stdout.Write, a logger pointed at os.Stdout) is
// taken line by line into plugin log records instead. Writes that do not go
// through os.Stdout (a system call on file descriptor 1, C code) are not
// seen; the standard library's log writes to stderr, as it does in Tyk.

import (
	"bufio"
	"io"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// maxStdoutLine is the most of one printed line a record keeps (bytes).
const maxStdoutLine = 16 << 10

// gatewayStdout keeps the *os.File of file descriptor 1 referenced once
// os.Stdout no longer is: its finalizer would close the gateway's stdout.
var gatewayStdout *os.File

// captureStdout points os.Stdout at a pipe read by a goroutine of its own,
// so a plugin printing never blocks on the gateway. Without a pipe (no file
// descriptor left) output stays where it was, and a record says so. Once per
// process: shim_init runs again when another runtime isolate opens the shim
// (Deno runs test files that way), and a second capture would drop the last
// reference to file descriptor 1's *os.File, whose finalizer closes it.
var captureStdout = sync.OnceFunc(func() {
	r, w, err := os.Pipe()
	if err != nil {
		orphans.add(logRecord{level: pinoLevel[logrus.WarnLevel], timeMs: float64(time.Now().UnixNano()) / 1e6,
			msg: "what plugins print to standard output goes there unstructured: " + err.Error()})
		return
	}
	gatewayStdout, os.Stdout = os.Stdout, w
	go readStdout(r)
})

func readStdout(r io.Reader) {
	br := bufio.NewReaderSize(r, 4096)
	var line []byte
	cut := false
	for {
		part, more, err := br.ReadLine()
		if room := maxStdoutLine - len(line); len(part) > room {
			part, cut = part[:room], true
		}
		line = append(line, part...)
		if more {
			continue
		}
		if err == nil || len(line) > 0 {
			stdoutRecord(line, cut)
		}
		if err != nil {
			return
		}
		line, cut = line[:0], false
	}
}

func stdoutRecord(line []byte, cut bool) {
	rec := logRecord{
		level:  pinoLevel[logrus.InfoLevel],
		timeMs: float64(time.Now().UnixNano()) / 1e6,
		msg:    string(line),
		fields: []byte(`{"stream":"stdout"}`),
	}
	if cut {
		rec.fields = []byte(`{"stream":"stdout","cut":true}`)
	}
	if p := loading.Load(); p != nil {
		rec.plugin = *p
	}
	orphans.add(rec)
}
