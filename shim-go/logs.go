package main

// Plugin logging: Tyk plugins log through log.Get(), one process-wide
// *logrus.Logger. The shim silences its own output and captures every entry
// with a hook, so records reach the gateway's pino log as structured data
// carrying the call (API, plugin, symbol) they were written in.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tyklog "github.com/TykTechnologies/tyk/log"
	"github.com/sirupsen/logrus"
)

type logRecord struct {
	level  uint32 // pino levels: 10 trace ... 60 fatal
	timeMs float64
	msg    string
	fields []byte
	plugin string
}

var pinoLevel = map[logrus.Level]uint32{
	logrus.TraceLevel: 10, logrus.DebugLevel: 20, logrus.InfoLevel: 30,
	logrus.WarnLevel: 40, logrus.ErrorLevel: 50, logrus.FatalLevel: 60, logrus.PanicLevel: 60,
}

// callLogs collects the records of one run (or those written outside any
// run) until the gateway takes them. It holds at most maxHeldRecords: a
// plugin logging in a loop (in a run given up on, or in a goroutine of its
// own) must not grow the gateway's memory without bound. Records past that
// are counted, and reported as one record when the rest are taken.
type callLogs struct {
	mu      sync.Mutex
	records []logRecord
	dropped int
}

const maxHeldRecords = 10000

func (c *callLogs) add(r logRecord) {
	c.mu.Lock()
	if len(c.records) < maxHeldRecords {
		c.records = append(c.records, r)
	} else {
		c.dropped++
	}
	c.mu.Unlock()
}

func (c *callLogs) take() []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.records
	if c.dropped > 0 {
		r = append(r, logRecord{
			level:  pinoLevel[logrus.WarnLevel],
			timeMs: float64(time.Now().UnixNano()) / 1e6,
			msg:    fmt.Sprintf("%d more plugin log records were dropped (more than %d waiting)", c.dropped, maxHeldRecords),
		})
		c.dropped = 0
	}
	c.records = nil
	return r
}

var (
	// The path of the plugin whose init is running, if any (see build.open).
	loading atomic.Pointer[string]
	orphans callLogs
)

// goid is only computed when a record is written (never on the call path).
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

type captureHook struct{}

func (captureHook) Levels() []logrus.Level { return logrus.AllLevels }

func (captureHook) Fire(e *logrus.Entry) error {
	rec := logRecord{level: pinoLevel[e.Level], timeMs: float64(e.Time.UnixNano()) / 1e6, msg: e.Message}
	if len(e.Data) > 0 {
		data := make(map[string]any, len(e.Data))
		for k, v := range e.Data {
			if err, ok := v.(error); ok {
				v = err.Error()
			}
			data[k] = v
		}
		if b, err := json.Marshal(data); err == nil {
			rec.fields = b
		}
	}
	if c := runLogs(); c != nil {
		c.add(rec)
		return nil
	}
	if p := loading.Load(); p != nil {
		rec.plugin = *p
	}
	orphans.add(rec)
	return nil
}

// A plugin calling logger.Fatal must fail its own call, not exit the gateway.
type fatalExit struct{ code int }

func initLogging(level string) {
	l := tyklog.Get()
	l.SetOutput(io.Discard)
	l.ReplaceHooks(logrus.LevelHooks{})
	l.AddHook(captureHook{})
	l.ExitFunc = func(code int) { panic(fatalExit{code}) }
	if lv, err := logrus.ParseLevel(level); err == nil {
		l.SetLevel(lv)
	}
}

// writeLogs writes a log frame; records that do not say which plugin wrote
// them get plugin (the hook's, or "" when unknown).
func writeLogs(w *writer, recs []logRecord, plugin string) {
	w.u32(uint32(len(recs)))
	for _, r := range recs {
		w.u32(r.level)
		w.f64(r.timeMs)
		w.str(r.msg)
		w.bytes(r.fields)
		if r.plugin == "" {
			r.plugin = plugin
		}
		w.str(r.plugin)
	}
}
