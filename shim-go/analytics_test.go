package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/TykTechnologies/tyk-pump/analytics"
)

func analyticsPlugin(f analyticsHook) uint32 {
	return plugins.add(&loadedPlugin{path: "analytics.so", symbol: "Analytics", analytics: f})
}

type sentRecord struct {
	plugin uint32
	json   string
}

// analyticsFrame is an analytics frame of records.
func analyticsFrame(recs ...sentRecord) []byte {
	w := &writer{}
	w.u32(uint32(len(recs)))
	for _, r := range recs {
		w.u32(r.plugin)
		w.str(r.json)
	}
	return w.b
}

type gotRecord struct {
	flags             uint32
	refused, panicked string
	changed           map[string]any
}

func decodeAnalyticsResult(t *testing.T, b []byte) []gotRecord {
	t.Helper()
	r := &reader{b: b}
	out := make([]gotRecord, r.u32())
	for i := range out {
		r.f64()
		g := &out[i]
		g.flags = r.u32()
		if g.flags&recRefused != 0 {
			g.refused = string(r.bytes())
		}
		if g.flags&recPanicked != 0 {
			g.panicked = string(r.bytes())
			r.bytes()
		}
		if g.flags&recLogs != 0 {
			t.Fatal("no plugin here logs")
		}
		if g.flags&recChanged != 0 {
			if err := json.Unmarshal(r.bytes(), &g.changed); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r.err != nil || r.off != len(b) {
		t.Fatalf("result frame: %v, %d of %d bytes read", r.err, r.off, len(b))
	}
	return out
}

func TestAnalyticsRecordsComeBackOnlyWhenChangedAndPanicsDropOnlyTheirOwnChanges(t *testing.T) {
	tag := analyticsPlugin(func(r *analytics.AnalyticsRecord) {
		r.Tags = append(r.Tags, "tagged")
		r.CollectionName = "elsewhere"
	})
	noop := analyticsPlugin(func(*analytics.AnalyticsRecord) {})
	boom := analyticsPlugin(func(r *analytics.AnalyticsRecord) {
		r.Tags = append(r.Tags, "lost")
		panic("boom")
	})
	request := testPlugin(nil)
	rec := `{"path":"/x","tags":["t"],"timestamp":"2024-05-06T07:08:09.127Z","month":5}`
	status, frame := runAnalytics(analyticsFrame(
		sentRecord{tag, rec}, sentRecord{noop, rec}, sentRecord{boom, rec}, sentRecord{tag, `{"tags":`}, sentRecord{request, rec}, sentRecord{tag, rec},
	), &callLogs{}, nil)
	if status != statusOK {
		t.Fatalf("status %d: %s", status, frame)
	}
	got := decodeAnalyticsResult(t, frame)
	if len(got) != 6 {
		t.Fatalf("%d outcomes", len(got))
	}
	for _, i := range []int{0, 5} {
		c := got[i].changed
		if got[i].flags != recChanged || c["path"] != "/x" || c["collection_name"] != "elsewhere" || c["month"] != 5.0 {
			t.Fatalf("record %d: %+v", i, got[i])
		}
		if tags, _ := json.Marshal(c["tags"]); string(tags) != `["t","tagged"]` {
			t.Fatalf("record %d tags: %s", i, tags)
		}
		// Every field of Pump's record comes back, not only those the plugin touched.
		for _, k := range []string{"method", "geo", "graphql_stats", "mcp_stats", "expireAt", "listen_path"} {
			if _, ok := c[k]; !ok {
				t.Fatalf("record %d lacks %s: %v", i, k, c)
			}
		}
	}
	if got[1].flags != 0 {
		t.Fatalf("unchanged record: %+v", got[1])
	}
	if got[2].flags != recPanicked || got[2].panicked != "boom" {
		t.Fatalf("panicked record: %+v", got[2])
	}
	if got[3].flags != recRefused || !strings.HasPrefix(got[3].refused, "analytics record: ") {
		t.Fatalf("bad record: %+v", got[3])
	}
	if got[4].flags != recRefused || !strings.Contains(got[4].refused, "not the handle of a loaded analytics plugin") {
		t.Fatalf("request hook handle: %+v", got[4])
	}
}

func TestAnalyticsFrameTruncatedIsRefused(t *testing.T) {
	frame := analyticsFrame(sentRecord{analyticsPlugin(func(*analytics.AnalyticsRecord) {}), `{}`})
	if status, _ := runAnalytics(frame[:len(frame)-1], &callLogs{}, nil); status != statusBadInput {
		t.Fatalf("status %d", status)
	}
}
