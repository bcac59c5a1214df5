package user

import "fmt"

// MCP primitive types (MCPPrimitiveLimit.Type).
const (
	PrimitiveTypeTool     = "tool"
	PrimitiveTypeResource = "resource"
	PrimitiveTypePrompt   = "prompt"
)

// AccessControlRules is an allow list and a block list of names (MCP tools,
// JSON-RPC methods, ...).
type AccessControlRules struct {
	Allowed []string `json:"allowed,omitempty" msg:"allowed"`
	Blocked []string `json:"blocked,omitempty" msg:"blocked"`
}

// IsEmpty reports whether both lists are empty.
func (a AccessControlRules) IsEmpty() bool { return len(a.Allowed) == 0 && len(a.Blocked) == 0 }

// IsZero is IsEmpty (for `omitzero`).
func (a AccessControlRules) IsZero() bool { return a.IsEmpty() }

// JSONRPCMethodLimit rate-limits one JSON-RPC method.
type JSONRPCMethodLimit struct {
	Name  string    `json:"name" msg:"name"`
	Limit RateLimit `json:"limit,omitzero" msg:"limit"`
}

// MCPPrimitiveLimit rate-limits one MCP primitive (a tool, resource or prompt).
type MCPPrimitiveLimit struct {
	Type  string    `json:"type" msg:"type"`
	Name  string    `json:"name" msg:"name"`
	Limit RateLimit `json:"limit,omitzero" msg:"limit"`
}

// Validate refuses a Type other than tool, resource or prompt.
func (m MCPPrimitiveLimit) Validate() error {
	switch m.Type {
	case PrimitiveTypeTool, PrimitiveTypeResource, PrimitiveTypePrompt:
		return nil
	}
	return fmt.Errorf("invalid MCP primitive type %q: must be one of tool, resource, prompt", m.Type)
}

// MCPAccessRights are the allow and block lists of a key's MCP primitives.
type MCPAccessRights struct {
	Tools     AccessControlRules `json:"tools,omitzero" msg:"tools"`
	Resources AccessControlRules `json:"resources,omitzero" msg:"resources"`
	Prompts   AccessControlRules `json:"prompts,omitzero" msg:"prompts"`
}

// IsEmpty reports whether every list is empty.
func (m MCPAccessRights) IsEmpty() bool {
	return m.Tools.IsEmpty() && m.Resources.IsEmpty() && m.Prompts.IsEmpty()
}

// IsZero is IsEmpty (for `omitzero`).
func (m MCPAccessRights) IsZero() bool { return m.IsEmpty() }
