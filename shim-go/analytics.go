package main

// Analytics plugins: an API's analytics_plugin is a
// func(*analytics.AnalyticsRecord) that may change each record of its API
// before it is stored (Tyk's GoAnalyticsPlugin). The gateway sends records
// in batches, off the request path, as Tyk Pump's JSON (the json tags of
// tyk-pump/analytics); a batch runs on a worker like a request run, and
// each record comes back only when its plugin changed it.
//
// analytics frame (TS -> Go):
//   u32 n, n x (u32 plugin handle, bytes record JSON)
// The JSON is Pump's, plus "collection_name" for CollectionName, which
// Pump's JSON leaves out (json:"-") but Tyk sends to Pump (msgpack keys by
// Go field name), so a plugin may route a record to another collection.
//
// analytics result frame (Go -> TS):
//   u32 n, then per record, in order:
//     f64 execution time in ns, u32 flags (rec*),
//     [recRefused] str why (the record or its plugin handle could not be used; the record is as sent),
//     [recPanicked] str message, str stack (the record is as sent: a panic drops its changes only),
//     [recLogs] log records as in a log frame,
//     [recChanged] bytes record JSON as the plugin left it

import (
	"encoding/json"
	"fmt"
	"plugin"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/TykTechnologies/tyk-pump/analytics"
)

type analyticsHook = func(*analytics.AnalyticsRecord)

const (
	recChanged  = 1 << 0
	recPanicked = 1 << 1
	recLogs     = 1 << 2
	recRefused  = 1 << 3
)

// An exported function, or a variable holding one, as for request hooks.
func asAnalyticsHook(sym plugin.Symbol) analyticsHook {
	switch f := sym.(type) {
	case func(*analytics.AnalyticsRecord):
		return f
	case *func(*analytics.AnalyticsRecord):
		return *f
	}
	return nil
}

// wireRecord is a record as it crosses the boundary: Pump's JSON with
// CollectionName under a name of its own.
type wireRecord struct {
	*analytics.AnalyticsRecord
	CollectionName string `json:"collection_name,omitempty"`
}

func decodeRecord(b []byte) (*analytics.AnalyticsRecord, error) {
	w := wireRecord{AnalyticsRecord: &analytics.AnalyticsRecord{}}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	w.AnalyticsRecord.CollectionName = w.CollectionName
	return w.AnalyticsRecord, nil
}

func encodeRecord(r *analytics.AnalyticsRecord) ([]byte, error) {
	return json.Marshal(wireRecord{AnalyticsRecord: r, CollectionName: r.CollectionName})
}

// analyticsOutcome is what running one record's plugin did.
type analyticsOutcome struct {
	elapsed         time.Duration
	refused         string
	panicMsg, stack string
	logs            []logRecord
	changed         []byte
}

// runAnalytics runs each record's plugin on its record (frame is the run's
// own copy) and encodes the result frame. Records are independent: one that
// cannot be decoded, or whose plugin panics, affects no other.
func runAnalytics(frame []byte, logs *callLogs, slot *callSlot) (int32, []byte) {
	r := &reader{b: frame}
	n := r.count(8)
	outcomes := make([]analyticsOutcome, n)
	for i := range outcomes {
		p := plugins.get(r.u32())
		raw := r.bytes()
		if r.err != nil {
			return statusBadInput, []byte(r.err.Error())
		}
		slot.enter(p)
		outcomes[i] = runAnalyticsPlugin(p, raw, logs)
		slot.leave()
	}
	w := newWriter()
	w.u32(uint32(n))
	for _, o := range outcomes {
		w.f64(float64(o.elapsed.Nanoseconds()))
		var flags uint32
		if o.refused != "" {
			flags |= recRefused
		}
		if o.panicMsg != "" {
			flags |= recPanicked
		}
		if len(o.logs) > 0 {
			flags |= recLogs
		}
		if o.changed != nil {
			flags |= recChanged
		}
		w.u32(flags)
		if o.refused != "" {
			w.str(o.refused)
		}
		if o.panicMsg != "" {
			w.str(o.panicMsg)
			w.str(o.stack)
		}
		if len(o.logs) > 0 {
			writeLogs(w, o.logs, "")
		}
		if o.changed != nil {
			w.bytes(o.changed)
		}
	}
	return statusOK, w.b
}

func runAnalyticsPlugin(p *loadedPlugin, raw []byte, logs *callLogs) (o analyticsOutcome) {
	if p == nil || p.analytics == nil {
		o.refused = "not the handle of a loaded analytics plugin"
		return o
	}
	// Two copies: the plugin changes one, the other tells whether it did.
	before, err := decodeRecord(raw)
	if err != nil {
		o.refused = fmt.Sprintf("analytics record: %v", err)
		return o
	}
	rec, _ := decodeRecord(raw)
	start := time.Now()
	func() {
		defer func() {
			if r := recover(); r != nil {
				if fe, ok := r.(fatalExit); ok {
					o.panicMsg = fmt.Sprintf("plugin called log.Fatal (exit code %d)", fe.code)
				} else {
					o.panicMsg = fmt.Sprint(r)
				}
				o.stack = string(debug.Stack())
			}
		}()
		p.analytics(rec)
	}()
	o.elapsed = time.Since(start)
	o.logs = logs.take()
	if o.panicMsg != "" || reflect.DeepEqual(before, rec) {
		return o
	}
	b, err := encodeRecord(rec)
	if err != nil {
		// Something JSON cannot carry (a NaN latitude, an unencodable GraphQL error path): the change is dropped as a panic's would be.
		o.refused = fmt.Sprintf("the record the plugin left cannot be encoded: %v", err)
		return o
	}
	o.changed = b
	return o
}
