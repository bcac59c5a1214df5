package main

import (
	"testing"

	"github.com/TykTechnologies/tyk/user"
)

type tier struct{ Name string }

func TestAdoptSessionKeepsTheObjectAndUnchangedGoValues(t *testing.T) {
	live := &user.SessionState{KeyID: "raw-key", Rate: 1, MetaData: map[string]interface{}{
		"n": 2, "s": tier{"gold"}, "changed": 1, "unencodable": make(chan int),
	}}
	live.SetKeyHash("hash-1")
	live.Touch()
	same := live
	err := adoptSession(live, []byte(`{"rate":100,"per":60,"meta_data":{"n":2,"s":{"Name":"gold"},"changed":5,"added":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if live != same || live.Rate != 100 || live.Per != 60 || live.KeyID != "raw-key" {
		t.Fatalf("session: %+v", live)
	}
	if live.KeyHash() != "hash-1" || !live.IsModified() {
		t.Errorf("what JSON does not carry is kept: hash %q, modified %v", live.KeyHash(), live.IsModified())
	}
	m := live.MetaData
	if _, ok := m["n"].(int); !ok {
		t.Errorf("n is %T, want the hook's int", m["n"])
	}
	if _, ok := m["s"].(tier); !ok {
		t.Errorf("s is %T, want the hook's struct", m["s"])
	}
	if m["changed"] != float64(5) || m["added"] != "x" {
		t.Errorf("changed values: %#v", m)
	}
	if _, ok := m["unencodable"].(chan int); !ok {
		t.Errorf("a value JSON could not carry (absent from the gateway's result) is kept: %#v", m)
	}
	if err := adoptSession(live, []byte(`{"rate":`)); err == nil {
		t.Error("malformed JSON is refused")
	}
}
