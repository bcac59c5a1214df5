package apidef

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ObjectID is the database identifier of an API definition (the Classic
// "id" field and the OAS "dbId" field).
//
// Tyk uses model.ObjectID from github.com/TykTechnologies/storage, a string
// type holding the 12 raw bytes of a MongoDB ObjectId. This stand-in keeps
// the identifier in its textual form instead: JSON "5f0c..." decodes to the
// same text, so Hex() and the JSON encoding match Tyk's, and identifiers that
// are not ObjectIds survive a round trip unchanged.
type ObjectID string

// Hex returns the identifier text (a 24 character hex string for real ObjectIds).
func (id ObjectID) Hex() string { return string(id) }

// String implements fmt.Stringer the way Tyk's type does.
func (id ObjectID) String() string { return fmt.Sprintf("ObjectID(%q)", id.Hex()) }

// Valid reports whether id is a well-formed 24 character hex ObjectId.
func (id ObjectID) Valid() bool {
	if len(id) != 24 {
		return false
	}
	_, err := hex.DecodeString(string(id))
	return err == nil
}

// MarshalJSON encodes the identifier as a JSON string.
func (id ObjectID) MarshalJSON() ([]byte, error) {
	return json.Marshal(string(id))
}

// UnmarshalJSON accepts a JSON string, null, or MongoDB extended JSON
// ({"$oid": "..."}).
func (id *ObjectID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*id = ""
		return nil
	}
	if len(data) > 0 && data[0] == '{' {
		var ext struct {
			OID string `json:"$oid"`
		}
		if err := json.Unmarshal(data, &ext); err != nil {
			return fmt.Errorf("invalid ObjectID in JSON: %s", data)
		}
		*id = ObjectID(ext.OID)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("invalid ObjectID in JSON: %s", data)
	}
	*id = ObjectID(s)
	return nil
}
