package oas

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEventHandlerSettingsAreInline(t *testing.T) {
	in := `{"enabled":true,"trigger":"QuotaExceeded","type":"webhook","id":"h1","url":"http://hook","method":"POST","cooldownPeriod":"1m","headers":[{"name":"X","value":"1"}]}`
	var h EventHandler
	if err := json.Unmarshal([]byte(in), &h); err != nil {
		t.Fatal(err)
	}
	if h.Kind != WebhookKind || h.Webhook.URL != "http://hook" || time.Duration(h.Webhook.CoolDownPeriod) != time.Minute {
		t.Fatalf("decoded %+v", h)
	}
	conf := h.GetWebhookConf()
	if conf.Disabled || conf.TargetPath != "http://hook" || conf.EventTimeout != 60 || conf.HeaderList["X"] != "1" {
		t.Fatalf("webhook conf %+v", conf)
	}
	out, _ := json.Marshal(h)
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	if m["url"] != "http://hook" || m["cooldownPeriod"] != "1m" || m["type"] != "webhook" {
		t.Fatalf("encoded %s", out)
	}
	var logH EventHandler
	_ = json.Unmarshal([]byte(`{"enabled":false,"type":"log","logPrefix":"p"}`), &logH)
	if c := logH.GetLogEventHandlerConf(); !c.Disabled || c.Prefix != "p" || logH.Webhook.URL != "" {
		t.Fatalf("log handler %+v", logH)
	}
}

func TestPostPluginWritesADeprecatedNameAsFunctionName(t *testing.T) {
	out, _ := json.Marshal(&EndpointPostPlugin{Enabled: true, Name: "Hook", Path: "p.so"})
	if string(out) != `{"enabled":true,"functionName":"Hook","path":"p.so"}` {
		t.Fatalf("encoded %s", out)
	}
}
