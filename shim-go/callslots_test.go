package main

import (
	"encoding/binary"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// slotsFile reads the call slots file: the text of each slot marked as in a call.
func slotsFile(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:8]) != callSlotsMagic {
		t.Fatalf("magic %q", b[:8])
	}
	n, size := int(binary.LittleEndian.Uint32(b[8:])), int(binary.LittleEndian.Uint32(b[12:]))
	var in []string
	for i := 0; i < n; i++ {
		s := b[callSlotsHead+i*size:]
		if binary.LittleEndian.Uint32(s) == 1 {
			in = append(in, string(s[8:8+binary.LittleEndian.Uint32(s[4:])]))
		}
	}
	return in
}

func TestCallSlotsNameTheCallInProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slots")
	t.Setenv(callSlotsEnv, path)
	openCallSlots()
	if callSlotsMem == nil {
		t.Fatal("call slots not mapped")
	}
	slot := takeCallSlot()
	var during []string
	p := plugins.add(&loadedPlugin{path: "/plugins/exits.so", symbol: "Exit", request: func(http.ResponseWriter, *http.Request) {
		during = slotsFile(t, path)
	}})
	api := testAPI(t)
	in := openFrame("GET", "/x", "", p)
	h, lr := claim(t, api, 0, in)
	if status, frame := lr.run(h, in, slot); status != statusOK {
		t.Fatalf("run: %d %s", status, frame)
	}
	if len(during) != 1 || during[0] != "/plugins/exits.so:Exit" {
		t.Fatalf("during the call: %q", during)
	}
	if after := slotsFile(t, path); len(after) != 0 {
		t.Fatalf("after the call: %q", after)
	}
}
