package log

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

type captureHook struct{ entries []*logrus.Entry }

func (h *captureHook) Levels() []logrus.Level { return logrus.AllLevels }
func (h *captureHook) Fire(e *logrus.Entry) error {
	h.entries = append(h.entries, e)
	return nil
}

func TestGetIsShared(t *testing.T) {
	if Get() != Get() || Get() == nil {
		t.Fatal("Get must return one shared logger")
	}
	if GetRaw() == Get() || GetRaw() == nil {
		t.Fatal("GetRaw is a separate logger")
	}
}

func TestHostCanRedirectAndHook(t *testing.T) {
	l := Get()
	oldOut, oldHooks := l.Out, l.Hooks
	defer func() { l.SetOutput(oldOut); l.ReplaceHooks(oldHooks) }()

	l.SetOutput(io.Discard)
	hook := &captureHook{}
	l.ReplaceHooks(logrus.LevelHooks{})
	l.AddHook(hook)

	l.WithField("plugin", "p").Warning("hello")
	if len(hook.entries) != 1 || hook.entries[0].Message != "hello" || hook.entries[0].Data["plugin"] != "p" {
		t.Fatalf("hook did not see the entry: %+v", hook.entries)
	}
	if Get().Out != io.Discard {
		t.Fatal("output setting must stick")
	}
}

func TestFormatters(t *testing.T) {
	j, ok := NewFormatter(FormatJson).(*JSONFormatter)
	if !ok {
		t.Fatal("json formatter")
	}
	line, _ := j.Format(&logrus.Entry{Message: "hi", Level: logrus.WarnLevel, Data: logrus.Fields{"n": 1, "error": errors.New("bad")}})
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil || got["message"] != "hi" || got["level"] != "warning" || got["error"] != "bad" || got["n"] != 1.0 {
		t.Fatalf("json line %s (%v)", line, err)
	}
	if text, ok := NewFormatter("").(*logrus.TextFormatter); !ok || text.TimestampFormat != time.RFC3339 || IsLegacyFormatter(text) {
		t.Fatal("text formatter")
	}
	if !IsLegacyFormatter(NewFormatter(FormatLegacy)) {
		t.Fatal("legacy formatter")
	}
	out, _ := (&RawFormatter{}).Format(&logrus.Entry{Message: "raw"})
	if string(out) != "raw" {
		t.Fatalf("raw formatter: %q", out)
	}
}

func TestTranslations(t *testing.T) {
	l := Get()
	oldFmt, oldOut := l.Formatter, l.Out
	defer func() { l.Formatter = oldFmt; l.SetOutput(oldOut) }()

	LoadTranslations(map[string]interface{}{"api": map[string]interface{}{"load": "API loaded"}})
	var buf bytes.Buffer
	l.SetOutput(&buf)
	l.WithField("code", "api.load").Info("original")
	if !bytes.Contains(buf.Bytes(), []byte("API loaded")) {
		t.Fatalf("translation not applied: %s", buf.String())
	}
}

func TestFlatten(t *testing.T) {
	got, err := Flatten(map[string]interface{}{"a": map[string]interface{}{"b": "c", "n": 2, "f": 1.5, "ok": true}, "l": []interface{}{"x", nil}})
	want := FlatMap{"a.b": "c", "a.n": "2", "a.f": "1.500000", "a.ok": "true", "l.0": "x", "l.1": ""}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Flatten = %v, %v", got, err)
	}
	if _, err := Flatten(map[string]interface{}{"c": make(chan int)}); err == nil {
		t.Fatal("a channel cannot be flattened")
	}
}
