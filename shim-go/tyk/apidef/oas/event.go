package oas

import (
	"encoding/json"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/internal/event"
)

// Kind is the kind of an event handler: webhook, custom (JavaScript) or log.
type Kind = event.Kind

// EventHandler runs on a gateway event; its kind's settings are inline in JSON
// (see MarshalJSON, UnmarshalJSON).
type EventHandler struct {
	Enabled   bool         `bson:"enabled" json:"enabled"`
	Trigger   event.Event  `bson:"trigger" json:"trigger"`
	Kind      Kind         `bson:"type" json:"type"`
	ID        string       `bson:"id,omitempty" json:"id,omitempty"`
	Name      string       `bson:"name,omitempty" json:"name,omitempty"`
	Webhook   WebhookEvent `bson:"-" json:"-"`
	JSVMEvent JSVMEvent    `bson:"-" json:"-"`
	LogEvent  LogEvent     `bson:"-" json:"-"`
}

// WebhookEvent is a webhook event handler's settings.
type WebhookEvent struct {
	URL            string           `bson:"url" json:"url"`
	Method         string           `bson:"method" json:"method"`
	CoolDownPeriod ReadableDuration `bson:"cooldownPeriod" json:"cooldownPeriod"`
	BodyTemplate   string           `bson:"bodyTemplate,omitempty" json:"bodyTemplate,omitempty"`
	Headers        Headers          `bson:"headers,omitempty" json:"headers,omitempty"`
}

// JSVMEvent is a JavaScript event handler's settings.
type JSVMEvent struct {
	FunctionName string `bson:"functionName" json:"functionName"`
	Path         string `bson:"path" json:"path"`
}

// LogEvent is a log event handler's settings.
type LogEvent struct {
	LogPrefix string `bson:"logPrefix" json:"logPrefix"`
}

// EventHandlers is a list of event handlers.
type EventHandlers []EventHandler

// Event handler kinds.
const (
	WebhookKind = event.WebhookKind
	JSVMKind    = event.JSVMKind
	LogKind     = event.LogKind
)

// MarshalJSON writes the handler with its kind's settings inline.
func (e EventHandler) MarshalJSON() ([]byte, error) {
	type plain EventHandler
	out, err := toMap(plain(e))
	if err != nil {
		return nil, err
	}
	var kindSettings any
	switch e.Kind {
	case WebhookKind:
		kindSettings = e.Webhook
	case JSVMKind:
		kindSettings = e.JSVMEvent
	case LogKind:
		kindSettings = e.LogEvent
	}
	if kindSettings != nil {
		extra, err := toMap(kindSettings)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			out[k] = v
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the handler and, by its kind, the inline settings.
func (e *EventHandler) UnmarshalJSON(in []byte) error {
	type plain EventHandler
	var h plain
	if err := json.Unmarshal(in, &h); err != nil {
		return err
	}
	var kindSettings any
	switch h.Kind {
	case WebhookKind:
		kindSettings = &h.Webhook
	case JSVMKind:
		kindSettings = &h.JSVMEvent
	case LogKind:
		kindSettings = &h.LogEvent
	}
	if kindSettings != nil {
		if err := json.Unmarshal(in, kindSettings); err != nil {
			return err
		}
	}
	*e = EventHandler(h)
	return nil
}

func toMap(v any) (map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(data, &m)
}

// GetWebhookConf is the handler as a Classic webhook configuration.
func (e *EventHandler) GetWebhookConf() apidef.WebHookHandlerConf {
	return apidef.WebHookHandlerConf{
		Disabled:     !e.Enabled,
		ID:           e.ID,
		Name:         e.Name,
		Method:       e.Webhook.Method,
		TargetPath:   e.Webhook.URL,
		TemplatePath: e.Webhook.BodyTemplate,
		HeaderList:   e.Webhook.Headers.Map(),
		EventTimeout: int64(e.Webhook.CoolDownPeriod.Seconds()),
	}
}

// GetJSVMEventHandlerConf is the handler as a Classic JavaScript handler configuration.
func (e *EventHandler) GetJSVMEventHandlerConf() apidef.JSVMEventHandlerConf {
	return apidef.JSVMEventHandlerConf{Disabled: !e.Enabled, ID: e.ID, MethodName: e.JSVMEvent.FunctionName, Path: e.JSVMEvent.Path}
}

// GetLogEventHandlerConf is the handler as a Classic log handler configuration.
func (e *EventHandler) GetLogEventHandlerConf() apidef.LogEventHandlerConf {
	return apidef.LogEventHandlerConf{Disabled: !e.Enabled, Prefix: e.LogEvent.LogPrefix}
}
