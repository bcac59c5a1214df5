package apidef

import "encoding/json"

// The handler_meta of a Classic definition's event handlers, by handler:
// eh_web_hook_handler, eh_dynamic_handler (JavaScript), eh_log_handler.
// Scan fills one from handler_meta (any value that encodes to the same JSON).

// WebHookHandlerConf configures a webhook event handler.
type WebHookHandlerConf struct {
	Disabled     bool              `bson:"disabled" json:"disabled"`
	ID           string            `bson:"id" json:"id"`
	Name         string            `bson:"name" json:"name"`
	Method       string            `bson:"method" json:"method"`
	TargetPath   string            `bson:"target_path" json:"target_path"`
	TemplatePath string            `bson:"template_path" json:"template_path"`
	HeaderList   map[string]string `bson:"header_map" json:"header_map"`
	EventTimeout int64             `bson:"event_timeout" json:"event_timeout"`
}

// Scan sets w from in, through its JSON encoding.
func (w *WebHookHandlerConf) Scan(in any) error { return scanJSON(in, w) }

// JSVMEventHandlerConf configures a JavaScript event handler.
type JSVMEventHandlerConf struct {
	Disabled   bool   `bson:"disabled" json:"disabled"`
	ID         string `bson:"id" json:"id"`
	MethodName string `bson:"name" json:"name"`
	Path       string `bson:"path" json:"path"`
}

// Scan sets j from in, through its JSON encoding.
func (j *JSVMEventHandlerConf) Scan(in any) error { return scanJSON(in, j) }

// LogEventHandlerConf configures a log event handler.
type LogEventHandlerConf struct {
	Disabled bool   `bson:"disabled" json:"disabled"`
	Prefix   string `bson:"prefix" json:"prefix"`
}

// Scan sets l from in, through its JSON encoding.
func (l *LogEventHandlerConf) Scan(in any) error { return scanJSON(in, l) }

// scanJSON replaces *dst with in encoded and decoded as JSON; on an error
// *dst is left as it was, as in Tyk.
func scanJSON[T any](in any, dst *T) error {
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*dst = v
	return nil
}
