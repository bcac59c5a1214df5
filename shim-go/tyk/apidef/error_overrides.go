package apidef

import (
	"fmt"

	tykerrors "github.com/TykTechnologies/tyk/internal/errors"
	tykregexp "github.com/TykTechnologies/tyk/regexp"
)

// ErrorOverridesMap holds, by status code (as text: "404", or a class such
// as "4xx"), the overrides of the gateway's error responses.
type ErrorOverridesMap map[string][]ErrorOverride

// ErrorOverride replaces an error response (Response) when Match matches
// the error (always when Match is nil).
type ErrorOverride struct {
	Match    *ErrorMatcher `bson:"match,omitempty" json:"match,omitempty"`
	Response ErrorResponse `bson:"response" json:"response"`

	// Compiled body templates (text/template for XML, html/template
	// otherwise), set by whoever compiles them; never encoded.
	textTemplate any
	htmlTemplate any
}

// SetCompiledTemplates stores the compiled text and HTML templates of the body.
func (e *ErrorOverride) SetCompiledTemplates(textTmpl, htmlTmpl any) {
	e.textTemplate, e.htmlTemplate = textTmpl, htmlTmpl
}

// GetCompiledTemplate returns the text template for XML responses, else the HTML one.
func (e *ErrorOverride) GetCompiledTemplate(isXML bool) any {
	if isXML {
		return e.textTemplate
	}
	return e.htmlTemplate
}

// HasCompiledTemplate reports whether a (text) template was stored.
func (e *ErrorOverride) HasCompiledTemplate() bool {
	return e.textTemplate != nil
}

// ErrorMatcher says which errors an override applies to: by response flag,
// by a regular expression on the message, or by a field of the body.
type ErrorMatcher struct {
	Flag           tykerrors.ResponseFlag `bson:"flag,omitempty" json:"flag,omitempty"`
	MessagePattern string                 `bson:"message_pattern,omitempty" json:"message_pattern,omitempty"`
	BodyField      string                 `bson:"body_field,omitempty" json:"body_field,omitempty"`
	BodyValue      string                 `bson:"body_value,omitempty" json:"body_value,omitempty"`

	// CompiledPattern is MessagePattern compiled (Compile); never encoded.
	CompiledPattern *tykregexp.Regexp `bson:"-" json:"-"`
}

// Compile compiles MessagePattern into CompiledPattern, once; an invalid
// pattern is an error naming it.
func (m *ErrorMatcher) Compile() error {
	if m.MessagePattern == "" || m.CompiledPattern != nil {
		return nil
	}
	re, err := tykregexp.Compile(m.MessagePattern)
	if err != nil {
		return fmt.Errorf("invalid regex pattern %q: %w", m.MessagePattern, err)
	}
	m.CompiledPattern = re
	return nil
}

// ErrorResponse is the response an override sends: status, and a body
// given as is, as a message, or as a template.
type ErrorResponse struct {
	StatusCode int               `bson:"status_code" json:"status_code"`
	Body       string            `bson:"body,omitempty" json:"body,omitempty"`
	Message    string            `bson:"message,omitempty" json:"message,omitempty"`
	Template   string            `bson:"template,omitempty" json:"template,omitempty"`
	Headers    map[string]string `bson:"headers,omitempty" json:"headers,omitempty"`
}
