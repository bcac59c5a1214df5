// Package log provides the process-wide logrus loggers that Tyk plugins
// obtain through github.com/TykTechnologies/tyk/log, with Tyk 5.14's
// formats and environment settings.
//
// Get returns one shared *logrus.Logger. It writes to stderr by default, as
// logrus does; an embedding host can redirect it at any time with
// Get().SetOutput(...), add hooks with Get().AddHook(...), or change the
// level and formatter. Nothing in this package resets those settings later.
package log

import (
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
	translations   = FlatMap{}
)

// Format names a log format (TYK_LOGFORMAT / TYK_GW_LOGFORMAT).
type Format string

// Log formats: text (the default), JSON, and Tyk's legacy text format.
const (
	FormatText   Format = "text"
	FormatJson   Format = "json"
	FormatLegacy Format = "legacy"
)

// LegacyTimestampFormat is the timestamp layout of the legacy format.
const LegacyTimestampFormat = "Jan 02 15:04:05"

// As Tyk: format and level come from the first of TYK_LOG*, TYK_GW_LOG*
// that is set; an unknown level leaves logrus' default (info).
func init() {
	SetupFormatter(Format(firstEnv("TYK_LOGFORMAT", "TYK_GW_LOGFORMAT")))
	if level, ok := levels[firstEnv("TYK_LOGLEVEL", "TYK_GW_LOGLEVEL")]; ok {
		logger.Level = level
	}
	rawLogger.Formatter = new(RawFormatter)
}

var levels = map[string]logrus.Level{
	"error": logrus.ErrorLevel,
	"warn":  logrus.WarnLevel,
	"debug": logrus.DebugLevel,
	"info":  logrus.InfoLevel,
}

// firstEnv is the first of the variables that is set, in lower case.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return strings.ToLower(v)
		}
	}
	return ""
}

// SetupFormatter gives the shared logger the formatter of format, and (but
// for the legacy format) logrus' standard logger too, as Tyk does.
func SetupFormatter(format Format) {
	logger.Formatter = NewFormatter(format)
	if format != FormatLegacy {
		logrus.StandardLogger().Formatter = logger.Formatter
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

// NewFormatter returns Tyk's formatter for format: for "json" a
// JSONFormatter, for "legacy" logrus text with LegacyTimestampFormat, and
// otherwise logrus text with RFC 3339 timestamps; JSON and text name the
// message field "message".
func NewFormatter(format Format) logrus.Formatter {
	switch format {
	case FormatJson:
		return &JSONFormatter{FieldMap: NewFieldMap(defaultFieldMap()), TimestampFormat: time.RFC3339}
	case FormatLegacy:
		return &logrus.TextFormatter{FieldMap: logrus.FieldMap{}, TimestampFormat: LegacyTimestampFormat, FullTimestamp: true, DisableColors: true}
	}
	return &logrus.TextFormatter{FieldMap: defaultFieldMap(), TimestampFormat: time.RFC3339, FullTimestamp: true, DisableColors: true}
}

// IsLegacyFormatter reports whether formatter is the legacy text formatter.
func IsLegacyFormatter(formatter logrus.Formatter) bool {
	text, ok := formatter.(*logrus.TextFormatter)
	return ok && text.TimestampFormat == LegacyTimestampFormat
}

func defaultFieldMap() logrus.FieldMap {
	return logrus.FieldMap{logrus.FieldKeyMsg: "message"}
}

// LoadTranslations installs message translations (Flatten's dotted keys):
// an entry logged with a "code" field naming one gets that message. The
// shared logger's formatter is wrapped in a TranslationFormatter.
func LoadTranslations(thing map[string]interface{}) {
	flat, _ := Flatten(thing)
	translationsMu.Lock()
	translations = flat
	translationsMu.Unlock()
	logger.Formatter = &TranslationFormatter{logger.Formatter}
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
	return t.Formatter.Format(entry)
}

// RawFormatter emits only the entry message.
type RawFormatter struct{}

// Format implements logrus.Formatter.
func (f *RawFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	return []byte(entry.Message), nil
}
