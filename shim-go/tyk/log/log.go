// Package log provides the process-wide logrus loggers that Tyk plugins
// obtain through github.com/TykTechnologies/tyk/log.
//
// Get returns one shared *logrus.Logger. It writes to stderr by default, as
// logrus does; an embedding host can redirect it at any time with
// Get().SetOutput(...), add hooks with Get().AddHook(...), or change the
// level and formatter. Nothing in this package resets those settings later.
package log

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

var (
	logger    = logrus.New()
	rawLogger = logrus.New()

	translationsMu sync.RWMutex
	translations   = map[string]string{}
)

func init() {
	logger.Formatter = NewFormatter("")
	logger.Level = levelFromEnv(os.Getenv("TYK_LOGLEVEL"))
	rawLogger.Formatter = new(RawFormatter)
}

func levelFromEnv(v string) logrus.Level {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "error":
		return logrus.ErrorLevel
	case "warn", "warning":
		return logrus.WarnLevel
	case "debug":
		return logrus.DebugLevel
	default:
		return logrus.InfoLevel
	}
}

// Get returns the shared gateway logger.
func Get() *logrus.Logger {
	return logger
}

// GetRaw returns the shared logger that writes bare messages (no level,
// timestamp or fields). Tyk uses it internally; it is kept for API parity.
func GetRaw() *logrus.Logger {
	return rawLogger
}

// NewFormatter returns the formatter Tyk uses for the given format name:
// "json" selects a JSON formatter, anything else a plain text formatter
// with full timestamps and no colours.
func NewFormatter(format string) logrus.Formatter {
	if strings.EqualFold(format, "json") {
		return &logrus.JSONFormatter{TimestampFormat: time.RFC3339}
	}
	return &logrus.TextFormatter{
		TimestampFormat: "Jan 02 15:04:05",
		FullTimestamp:   true,
		DisableColors:   true,
	}
}

// LoadTranslations installs message translations. Nested maps are flattened
// into dotted keys ({"a": {"b": "c"}} becomes "a.b" -> "c"). Entries logged
// with a "code" field whose value matches a key get their message replaced.
// Calling it switches the shared logger to a TranslationFormatter.
func LoadTranslations(thing map[string]interface{}) {
	flat := map[string]string{}
	flatten("", thing, flat)

	translationsMu.Lock()
	translations = flat
	translationsMu.Unlock()

	logger.Formatter = &TranslationFormatter{Formatter: NewFormatter("")}
}

func flatten(prefix string, in map[string]interface{}, out map[string]string) {
	for k, v := range in {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch val := v.(type) {
		case map[string]interface{}:
			flatten(key, val, out)
		case string:
			out[key] = val
		default:
			out[key] = fmt.Sprint(val)
		}
	}
}

// TranslationFormatter rewrites the message of entries carrying a known
// "code" field before delegating to the wrapped formatter.
type TranslationFormatter struct {
	logrus.Formatter
}

// Format implements logrus.Formatter.
func (t *TranslationFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	if code, ok := entry.Data["code"].(string); ok {
		translationsMu.RLock()
		msg, found := translations[code]
		translationsMu.RUnlock()
		if found {
			entry.Message = msg
		}
	}
	inner := t.Formatter
	if inner == nil {
		inner = NewFormatter("")
	}
	return inner.Format(entry)
}

// RawFormatter emits only the entry message.
type RawFormatter struct{}

// Format implements logrus.Formatter.
func (f *RawFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	return []byte(entry.Message), nil
}

// JSONFormatter renders entries as JSON objects.
type JSONFormatter struct {
	// TimestampFormat is a time.Format layout for the "time" field.
	TimestampFormat string
	// DisableTimestamp omits the "time" field.
	DisableTimestamp bool
	// DataKey, when set, nests all entry fields under this key.
	DataKey string
}

// Format implements logrus.Formatter.
func (f *JSONFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	inner := &logrus.JSONFormatter{
		TimestampFormat:  f.TimestampFormat,
		DisableTimestamp: f.DisableTimestamp,
		DataKey:          f.DataKey,
	}
	return inner.Format(entry)
}
