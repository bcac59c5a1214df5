package log

import (
	"bytes"
	"io"
	"testing"

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
	if _, ok := NewFormatter("json").(*logrus.JSONFormatter); !ok {
		t.Fatal("json formatter")
	}
	if _, ok := NewFormatter("").(*logrus.TextFormatter); !ok {
		t.Fatal("text formatter")
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

func TestLevelFromEnv(t *testing.T) {
	cases := map[string]logrus.Level{"error": logrus.ErrorLevel, "WARN": logrus.WarnLevel, "debug": logrus.DebugLevel, "": logrus.InfoLevel}
	for in, want := range cases {
		if got := levelFromEnv(in); got != want {
			t.Errorf("%q -> %v", in, got)
		}
	}
}
