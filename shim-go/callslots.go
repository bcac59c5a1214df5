package main

// Call slots: which plugin call each worker goroutine is in, kept where it
// outlives the process. A plugin can end the whole process (os.Exit, the
// standard library's log.Fatal, a panic in its own goroutine) and nothing
// runs after that; so each call is marked in a shared memory file before it
// starts and unmarked when it returns, and whoever started the process (the
// gateway's supervisor) reads the file after the process died to name the
// calls it died in. The file is named by the environment variable
// TYKGW_CALL_SLOTS when the shim starts; without it nothing is recorded.
//
// Layout (little-endian; documented in shim.h): a 16-byte header, "TYKGWCS1",
// then u32 slot count and u32 slot size; then the slots. A slot: u32 state
// (0 idle, 1 in a call), u32 text length, then the text "<path>:<symbol>"
// (cut to fit). A worker owns its slot and is its only writer; workers past
// the slot count record nothing. The state is written last, so a slot being
// filled when the process died reads as idle or as its previous call.

import (
	"encoding/binary"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

const (
	callSlotsEnv   = "TYKGW_CALL_SLOTS"
	callSlotsMagic = "TYKGWCS1"
	callSlotCount  = 64
	callSlotSize   = 512
	callSlotsHead  = 16
)

// callSlot is one worker's slot in the mapped file; nil when none.
type callSlot struct {
	state *uint32
	text  []byte // length field, then text
}

var (
	callSlotsMem []byte
	nextCallSlot atomic.Int32
	// Plugin inits share one slot (the first): an init still running when
	// the next load starts loses its mark to that one.
	loadCallSlot *callSlot
	loadSlotMu   sync.Mutex
)

// openCallSlots maps the file TYKGW_CALL_SLOTS names, if any. A file that
// cannot be made only costs the record: the gateway runs as it would without.
func openCallSlots() {
	path := os.Getenv(callSlotsEnv)
	if path == "" || callSlotsMem != nil {
		return
	}
	size := callSlotsHead + callSlotCount*callSlotSize
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	if f.Truncate(int64(size)) != nil {
		return
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return
	}
	copy(mem, callSlotsMagic)
	binary.LittleEndian.PutUint32(mem[8:], callSlotCount)
	binary.LittleEndian.PutUint32(mem[12:], callSlotSize)
	callSlotsMem = mem
	loadCallSlot = takeCallSlot()
}

// takeCallSlot gives a new worker its slot, or nil when all are taken.
func takeCallSlot() *callSlot {
	if callSlotsMem == nil {
		return nil
	}
	i := int(nextCallSlot.Add(1)) - 1
	if i >= callSlotCount {
		return nil
	}
	off := callSlotsHead + i*callSlotSize
	s := callSlotsMem[off : off+callSlotSize]
	return &callSlot{state: (*uint32)(unsafe.Pointer(&s[0])), text: s[4:]}
}

// enter marks the slot as in a call of the plugin's symbol.
func (s *callSlot) enter(p *loadedPlugin) {
	if p != nil {
		s.mark(p.path, ":", p.symbol)
	}
}

// mark marks the slot as in a call described by the parts, joined.
func (s *callSlot) mark(parts ...string) {
	if s == nil {
		return
	}
	n := 0
	for _, part := range parts {
		n += copy(s.text[4+n:], part)
	}
	binary.LittleEndian.PutUint32(s.text, uint32(n))
	atomic.StoreUint32(s.state, 1)
}

// enterInit marks the loads' slot as in the init of the plugin at path.
func enterInit(path string) {
	loadSlotMu.Lock()
	loadCallSlot.mark(path, " (init)")
	loadSlotMu.Unlock()
}

// leaveInit marks the loads' slot idle.
func leaveInit() {
	loadSlotMu.Lock()
	loadCallSlot.leave()
	loadSlotMu.Unlock()
}

// leave marks the slot idle.
func (s *callSlot) leave() {
	if s != nil {
		atomic.StoreUint32(s.state, 0)
	}
}
